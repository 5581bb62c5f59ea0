import BatchSenderCore
import Hummingbird
import Testing

@Suite struct SendConfigTests {
    @Test func createHidesCredentials() async throws {
        try await Harness.run { h in
            let reply = try await h.post("/v1/send-configs", [
                "name": "Newsletter", "module": "email", "provider": "resend",
                "credentials": ["apiKey": "re_live_abcdefghijkl1a2b"],
                "settings": ["baseUrl": "https://api.resend.com"],
                "rateLimit": ["perSecond": 10, "burst": 20], "maxConcurrency": 16,
            ])
            #expect(reply.status == .created)
            #expect(!reply.text.contains("re_live_abcdefghijkl1a2b"))
            #expect(reply["credentials"]?["apiKey"] == "re_…1a2b")
            #expect(reply["rateLimit"]?["perSecond"] == 10)
            #expect(reply["maxConcurrency"] == 16)
            let id = try #require(reply["id"]?.stringValue)
            let shown = try await h.get("/v1/send-configs/\(id)")
            #expect(shown.status == .ok)
            #expect(!shown.text.contains("abcdefghijkl"))
            // Stored encrypted: the sealed bytes do not contain the secret.
            let workspace = try #require(try await h.store.apiKey(secretHash: BatchSenderSecretsHash.of(h.key))?.workspaceID)
            let stored = try #require(try await h.store.sendConfig(.init(rawValue: id), in: workspace))
            #expect(!String(decoding: stored.sealedCredentials, as: UTF8.self).contains("abcdefghijkl"))
        }
    }

    @Test(arguments: [
        (#"{"module":"fax","provider":"http"}"#, "module"),
        (#"{"module":"email","provider":"twilio"}"#, "provider"),
        (#"{"module":"email","provider":"resend"}"#, "credentials.apiKey"),
        (#"{"module":"email","provider":"resend","credentials":{"apiKey":5}}"#, "credentials.apiKey"),
        (#"{"module":"email","provider":"smtp","settings":{"port":"25","host":"mx"}}"#, "settings.port"),
        (#"{"module":"email","provider":"sandbox","settings":{"failureRate":2}}"#, "settings.failureRate"),
        (#"{"module":"webhook","provider":"http","rateLimit":{"perSecond":-1}}"#, "rateLimit.perSecond"),
        (#"{"module":"webhook","provider":"http","maxConcurrency":0}"#, "maxConcurrency"),
        (#"{"module":"webhook","provider":"http","name":7}"#, "name"),
        (#"{"module":"sms","provider":"telnyx","credentials":{"apiKey":"k","publicKey":"short"}}"#, "credentials.publicKey"),
        (#"{"module":"webhook","provider":"http","credentials":{"signingSecret":"nope"}}"#, "credentials.signingSecret"),
        (#"{"module":"crm","provider":"salesforce","credentials":{"accessToken":"t"}}"#, "settings.instanceUrl"),
    ])
    func invalidInputIs422WithField(body: String, field: String) async throws {
        try await Harness.run { h in
            let reply = try await h.request(.post, "/v1/send-configs", body: body)
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(reply.isProblem)
            #expect(reply.issues.contains { $0["field"]?.stringValue == field }, "\(reply.text)")
            let list = try await h.get("/v1/send-configs")
            #expect(list["data"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func malformedJSONIs400AndWrongTypeIs415() async throws {
        try await Harness.run { h in
            let malformed = try await h.request(.post, "/v1/send-configs", body: #"{"module": "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.isProblem)
            let array = try await h.request(.post, "/v1/send-configs", body: "[]")
            #expect(array.status == .badRequest)
            let xml = try await h.request(.post, "/v1/send-configs", body: "<a/>", contentType: "application/xml")
            #expect(xml.status == .unsupportedMediaType)
            #expect(xml.isProblem)
        }
    }

    @Test func oversizeBodyIs413() async throws {
        try await Harness.run(limits: Limits(maxJSONBodyBytes: 100)) { h in
            let reply = try await h.request(
                .post, "/v1/send-configs", body: #"{"module":"webhook","provider":"http","name":""#
                    + String(repeating: "x", count: 200) + #""}"#)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.isProblem)
        }
    }

    @Test func patchMergesCredentialsAndRefusesModuleChange() async throws {
        try await Harness.run { h in
            let id = try await h.sendConfig(
                module: "sms", provider: "twilio", credentials: ["accountSid": "AC123456789012", "authToken": "tok_abcdefghijkl"])
            let patched = try await h.request(
                .patch, "/v1/send-configs/\(id)", body: #"{"name":"Renamed","credentials":{"authToken":"tok_zyxwvutsrq99"}}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched["name"] == "Renamed")
            #expect(patched["credentials"]?["authToken"] == "tok_…rq99")
            #expect(patched["credentials"]?["accountSid"] == "AC123456789012".hintForTest)
            let module = try await h.request(.patch, "/v1/send-configs/\(id)", body: #"{"module":"email"}"#)
            #expect(module.status == .unprocessableContent)
            let removeRequired = try await h.request(.patch, "/v1/send-configs/\(id)", body: #"{"credentials":{"authToken":null}}"#)
            #expect(removeRequired.status == .unprocessableContent)
        }
    }

    @Test func deleteIsRefusedWhileADraftBatchUsesIt() async throws {
        try await Harness.run { h in
            let id = try await h.sendConfig(module: "email", provider: "sandbox")
            let batch = try await h.emailBatch([["to": "a@example.com"]], configID: id)
            #expect(batch.status == .created)
            let refused = try await h.request(.delete, "/v1/send-configs/\(id)")
            #expect(refused.status == .conflict)
            #expect(refused.isProblem)
            let batchID = try #require(batch["id"]?.stringValue)
            #expect(try await h.post("/v1/batches/\(batchID)/cancel", [:]).status == .ok)
            #expect(try await h.request(.delete, "/v1/send-configs/\(id)").status == .noContent)
            #expect(try await h.get("/v1/send-configs/\(id)").status == .notFound)
        }
    }

    @Test func otherWorkspaceSendConfigIs404() async throws {
        try await Harness.run { h in
            let id = try await h.sendConfig()
            let other = try await h.otherWorkspaceKey()
            #expect(try await h.get("/v1/send-configs/\(id)", key: other).status == .notFound)
            #expect(try await h.request(.delete, "/v1/send-configs/\(id)", key: other).status == .notFound)
            #expect(try await h.request(.patch, "/v1/send-configs/\(id)", body: "{}", key: other).status == .notFound)
            let list = try await h.get("/v1/send-configs", key: other)
            #expect(list["data"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func listPagesWithCursor() async throws {
        try await Harness.run { h in
            for _ in 0..<5 { _ = try await h.sendConfig() }
            let first = try await h.get("/v1/send-configs?limit=2")
            #expect(first["data"]?.arrayValue?.count == 2)
            let cursor = try #require(first["nextCursor"]?.stringValue)
            let second = try await h.get("/v1/send-configs?limit=2&cursor=\(cursor)")
            #expect(second["data"]?.arrayValue?.count == 2)
            let third = try await h.get("/v1/send-configs?limit=2&cursor=\(try #require(second["nextCursor"]?.stringValue))")
            #expect(third["data"]?.arrayValue?.count == 1)
            #expect(third["nextCursor"] == .null)
            let ids = (first["data"]?.arrayValue ?? []) + (second["data"]?.arrayValue ?? []) + (third["data"]?.arrayValue ?? [])
            #expect(Set(ids.compactMap { $0["id"]?.stringValue }).count == 5)
        }
    }

    @Test(arguments: ["limit=0", "limit=-1", "limit=abc", "cursor=bogus", "cursor=YzE6c2NfMDFKRDNZMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA"])
    func badListParametersAre400(query: String) async throws {
        try await Harness.run { h in
            _ = try await h.sendConfig()
            let reply = try await h.get("/v1/send-configs?\(query)")
            #expect(reply.status == .badRequest, "\(reply.text)")
            #expect(reply.isProblem)
        }
    }

    @Test func limitAbove500IsClamped() async throws {
        try await Harness.run { h in
            _ = try await h.sendConfig()
            let reply = try await h.get("/v1/send-configs?limit=100000")
            #expect(reply.status == .ok)
            #expect(reply["data"]?.arrayValue?.count == 1)
        }
    }
}

extension String {
    /// The masked hint the API shows for this secret.
    var hintForTest: JSONValue { .string(BatchSenderSecretsHash.hint(self)) }
}

/// CONTRACT §5: provider endpoints with a literal private host are refused at create and PATCH
/// (the API runs without `BATCHSENDER_ALLOW_PRIVATE_NETWORKS` here).
@Suite struct SendConfigEndpointGuardTests {
    @Test(arguments: [
        (#"{"module":"email","provider":"resend","credentials":{"apiKey":"re_x"},"settings":{"baseUrl":"http://127.0.0.1:1"}}"#, "settings.baseUrl"),
        (#"{"module":"sms","provider":"twilio","credentials":{"accountSid":"AC1","authToken":"t"},"settings":{"baseUrl":"http://012.0.0.1/"}}"#, "settings.baseUrl"),
        (#"{"module":"email","provider":"smtp","settings":{"host":"10.0.0.1"}}"#, "settings.host"),
        (#"{"module":"email","provider":"smtp","settings":{"host":"[::ffff:127.0.0.1]"}}"#, "settings.host"),
        (#"{"module":"crm","provider":"salesforce","credentials":{"accessToken":"t"},"settings":{"instanceUrl":"http://169.254.169.254"}}"#, "settings.instanceUrl"),
    ])
    func privateEndpointsAre422(body: String, field: String) async throws {
        try await Harness.run { h in
            let reply = try await h.request(.post, "/v1/send-configs", body: body)
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            let issue = reply.issues.first { $0["field"]?.stringValue == field }
            #expect(issue?["message"]?.stringValue?.hasPrefix("blocked: ") == true, "\(reply.text)")
        }
    }

    @Test func patchingABaseURLToLoopbackIs422() async throws {
        try await Harness.run { h in
            let id = try await h.sendConfig(module: "email", provider: "resend", credentials: ["apiKey": "re_abcdefghijkl"])
            let patched = try await h.request(.patch, "/v1/send-configs/\(id)", body: #"{"settings":{"baseUrl":"http://127.0.0.1:1"}}"#)
            #expect(patched.status == .unprocessableContent, "\(patched.text)")
            let fine = try await h.request(.patch, "/v1/send-configs/\(id)", body: #"{"settings":{"baseUrl":"https://api.resend.com"}}"#)
            #expect(fine.status == .ok, "\(fine.text)")
        }
    }
}
