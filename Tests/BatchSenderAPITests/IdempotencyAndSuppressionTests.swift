import BatchSenderCore
import HTTPTypes
import Hummingbird
import Testing

@Suite struct IdempotencyAndSuppressionTests {
    static let keyHeader = HTTPField.Name("Idempotency-Key")!

    @Test func sameKeyReplaysAndCreatesNothingNew() async throws {
        try await Harness.run { h in
            let config = try await h.sendConfig(module: "email", provider: "sandbox")
            let body: JSONValue = [
                "sendConfigId": .string(config), "payload": ["from": "a@example.com", "subject": "s", "text": "t"],
                "recipients": [["to": "x@example.com"]],
            ]
            let first = try await h.post("/v1/batches", body, headers: [Self.keyHeader: "k-1"])
            let second = try await h.post("/v1/batches", body, headers: [Self.keyHeader: "k-1"])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first["id"] == second["id"])
            #expect(try await h.get("/v1/batches")["data"]?.arrayValue?.count == 1)
            var changed = body
            if case .object(var o) = changed { o["name"] = "other"; changed = .object(o) }
            let mismatch = try await h.post("/v1/batches", changed, headers: [Self.keyHeader: "k-1"])
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.isProblem)
            // Keys are per workspace.
            let other = try await h.otherWorkspaceKey()
            let otherConfig = try await h.post(
                "/v1/send-configs", ["module": "webhook", "provider": "http"], key: other, headers: [Self.keyHeader: "k-1"])
            #expect(otherConfig.status == .created)
        }
    }

    @Test func failedRequestsDoNotBurnTheKey() async throws {
        try await Harness.run { h in
            let bad = try await h.post("/v1/send-configs", ["module": "fax"], headers: [Self.keyHeader: "k-2"])
            #expect(bad.status == .unprocessableContent)
            let good = try await h.post("/v1/send-configs", ["module": "webhook", "provider": "http"], headers: [Self.keyHeader: "k-2"])
            #expect(good.status == .created)
        }
    }

    @Test func csvUploadWithKeyIsNotAddedTwice() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([])["id"]?.stringValue)
            let csv = "to\na@example.com\nb@example.com\n"
            let first = try await h.request(.post, "/v1/batches/\(id)/recipients", body: csv, contentType: "text/csv", headers: [Self.keyHeader: "u1"])
            let second = try await h.request(.post, "/v1/batches/\(id)/recipients", body: csv, contentType: "text/csv", headers: [Self.keyHeader: "u1"])
            #expect(first.status == .ok)
            #expect(second.text == first.text)
            #expect(second["added"] == 2)
            #expect(try await h.get("/v1/batches/\(id)")["counts"]?["total"] == 2)
            let different = try await h.request(
                .post, "/v1/batches/\(id)/recipients", body: csv + "c@example.com\n", contentType: "text/csv",
                headers: [Self.keyHeader: "u1"])
            #expect(different.status == .unprocessableContent)
        }
    }

    @Test func suppressionsAreCaseInsensitiveAndDeletable() async throws {
        try await Harness.run { h in
            let created = try await h.post("/v1/suppressions", ["address": "Someone@Example.COM", "reason": "unsubscribe"])
            #expect(created.status == .created)
            #expect(created["address"] == "someone@example.com")
            let again = try await h.post("/v1/suppressions", ["address": "someone@example.com", "reason": "manual"])
            #expect(again.status == .ok)
            #expect(again["reason"] == "unsubscribe")
            let phone = try await h.post("/v1/suppressions", ["address": "+14155550100", "reason": "complaint"])
            #expect(phone.status == .created)
            #expect(try await h.post("/v1/suppressions", ["address": "x@example.com", "reason": "angry"]).status == .unprocessableContent)
            #expect(try await h.post("/v1/suppressions", ["reason": "manual"]).status == .unprocessableContent)
            let list = try await h.get("/v1/suppressions")
            #expect(list["data"]?.arrayValue?.count == 2)
            #expect(try await h.request(.delete, "/v1/suppressions/SOMEONE%40example.com").status == .noContent)
            #expect(try await h.request(.delete, "/v1/suppressions/someone@example.com").status == .notFound)
            #expect(try await h.request(.delete, "/v1/suppressions/%2B14155550100").status == .noContent)
            let other = try await h.otherWorkspaceKey()
            #expect(try await h.get("/v1/suppressions", key: other)["data"]?.arrayValue?.isEmpty == true)
        }
    }
}
