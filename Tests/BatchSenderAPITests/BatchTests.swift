import BatchSenderCore
import Hummingbird
import Testing

@Suite struct BatchTests {
    @Test func createWithRecipientsCountsDuplicatesAndSuppressed() async throws {
        try await Harness.run { h in
            #expect(try await h.post("/v1/suppressions", ["address": "Blocked@Example.com", "reason": "manual"]).status == .created)
            let reply = try await h.emailBatch([
                ["to": "ann@example.com", "variables": ["name": "Ann"]],
                ["to": "ANN@example.com"],
                ["to": "blocked@example.com"],
                ["to": "bob@example.com"],
            ])
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply["status"] == "draft")
            #expect(reply["duplicates"] == 1)
            #expect(reply["counts"]?["total"] == 3)
            #expect(reply["counts"]?["pending"] == 2)
            #expect(reply["counts"]?["suppressed"] == 1)
            #expect(reply["module"] == "email")
            #expect(reply["provider"] == "sandbox")
            #expect(reply["scheduledAt"] == .null)
            #expect(reply["completedAt"] == .null)
            let id = try #require(reply["id"]?.stringValue)
            let shown = try await h.get("/v1/batches/\(id)")
            #expect(shown["counts"] == reply["counts"])
        }
    }

    @Test func invalidRecipientsRejectTheWholeRequest() async throws {
        try await Harness.run { h in
            let reply = try await h.emailBatch([["to": "ok@example.com"], ["to": "not-an-email"], ["to": 5], [:]])
            #expect(reply.status == .unprocessableContent)
            #expect(reply.isProblem)
            let indexes = reply.issues.compactMap { $0["index"]?.intValue }
            #expect(indexes == [1, 2, 3])
            let list = try await h.get("/v1/batches")
            #expect(list["data"]?.arrayValue?.isEmpty == true)
        }
    }

    static let invalidFields: [([String: JSONValue], String)] = [
        (["scheduledAt": "2001-01-01T00:00:00Z"], "scheduledAt"),
        (["scheduledAt": "tomorrow"], "scheduledAt"),
        (["maxAttempts": 0], "maxAttempts"),
        (["maxAttempts": 21], "maxAttempts"),
        (["dryRun": "yes"], "dryRun"),
        (["payload": ["from": "news@example.com", "subject": "Hi"]], "payload.html"),
        (["payload": ["from": "not mail", "subject": "Hi", "text": "x"]], "payload.from"),
        (["payload": ["from": "a@example.com", "subject": "Hi {{#x}}", "text": "x"]], "payload.subject"),
        (["payload": "text"], "payload"),
        (["recipients": "a@example.com"], "recipients"),
    ]

    @Test(arguments: invalidFields)
    func invalidBatchFieldsAre422(extra: [String: JSONValue], field: String) async throws {
        try await Harness.run { h in
            let reply = try await h.emailBatch([], extra: extra)
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(reply.issues.contains { $0["field"]?.stringValue == field }, "\(reply.text)")
        }
    }

    @Test func tooManyRecipientsInOneRequestIs422() async throws {
        try await Harness.run(limits: Limits(maxRecipientsPerRequest: 3)) { h in
            let many: [JSONValue] = (0..<4).map { ["to": .string("r\($0)@example.com")] }
            let reply = try await h.emailBatch(many)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.issues.first?["field"] == "recipients")
        }
    }

    @Test func unknownOrForeignSendConfigIs404() async throws {
        try await Harness.run { h in
            let other = try await h.otherWorkspaceKey()
            let foreign = try await h.sendConfig(module: "email", provider: "sandbox", key: other)
            let reply = try await h.emailBatch([], configID: foreign)
            #expect(reply.status == .notFound)
            #expect(reply.isProblem)
            let missing = try await h.emailBatch([], configID: "sc_nope")
            #expect(missing.status == .notFound)
        }
    }

    @Test func recipientsAreValidatedPerModule() async throws {
        try await Harness.run { h in
            let sms = try await h.sendConfig(module: "sms", provider: "sandbox")
            let smsReply = try await h.post("/v1/batches", [
                "sendConfigId": .string(sms), "payload": ["from": "ACME", "message": "Hi {{name}}"],
                "recipients": [["to": "+14155550100"], ["to": "4155550100"], ["to": "+1234567"]],
            ])
            #expect(smsReply.issues.compactMap { $0["index"]?.intValue } == [1, 2])
            let hook = try await h.sendConfig(module: "webhook", provider: "http")
            let hookReply = try await h.post("/v1/batches", [
                "sendConfigId": .string(hook), "payload": ["body": ["text": "{{name}}"]],
                "recipients": [["to": "https://example.com/hook"], ["to": "ftp://example.com"], ["to": "http://127.0.0.1/x"],
                               ["to": "http://169.254.169.254/latest"]],
            ])
            #expect(hookReply.status == .unprocessableContent)
            #expect(hookReply.issues.compactMap { $0["index"]?.intValue } == [1, 2, 3])
            #expect(hookReply.issues.last?["message"]?.stringValue?.hasPrefix("blocked:") == true)
            let crm = try await h.sendConfig(module: "crm", provider: "hubspot", credentials: ["accessToken": "pat"])
            let crmReply = try await h.post("/v1/batches", [
                "sendConfigId": .string(crm), "payload": ["object": "contacts", "operation": "merge"],
                "recipients": [["to": ""]],
            ])
            #expect(crmReply.issues.contains { $0["field"] == "payload.operation" })
            #expect(crmReply.issues.contains { $0["index"] == 0 })
        }
    }

    @Test func lifecycleSendPauseResumeCancel() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([["to": "a@example.com"], ["to": "b@example.com"]])["id"]?.stringValue)
            let sent = try await h.post("/v1/batches/\(id)/send", [:])
            #expect(sent.status == .accepted)
            #expect(sent["status"] == "queued")
            #expect(sent["counts"]?["queued"] == 2)
            #expect(try await h.post("/v1/batches/\(id)/send", [:]).status == .conflict)
            let paused = try await h.post("/v1/batches/\(id)/pause", [:])
            #expect(paused.status == .ok)
            #expect(paused["status"] == "paused")
            let resumed = try await h.post("/v1/batches/\(id)/resume", [:])
            #expect(resumed["status"] == "queued")
            let cancelled = try await h.post("/v1/batches/\(id)/cancel", [:])
            #expect(cancelled["status"] == "cancelled")
            #expect(cancelled["counts"]?["cancelled"] == 2)
            #expect(cancelled["completedAt"] != .null)
            let retried = try await h.post("/v1/batches/\(id)/retry", ["statuses": ["cancelled"]])
            #expect(retried.status == .accepted)
            #expect(retried["counts"]?["queued"] == 2)
            #expect(retried["status"] == "queued")
        }
    }

    @Test func sendingAnEmptyBatchIs422AndScheduledBatchesWait() async throws {
        try await Harness.run { h in
            let empty = try #require(try await h.emailBatch([])["id"]?.stringValue)
            #expect(try await h.post("/v1/batches/\(empty)/send", [:]).status == .unprocessableContent)
            let later = Timestamp.format(Date().addingTimeInterval(3600))
            let scheduled = try await h.emailBatch([["to": "a@example.com"]], extra: ["scheduledAt": .string(later)])
            #expect(scheduled["scheduledAt"]?.stringValue != nil)
            let id = try #require(scheduled["id"]?.stringValue)
            let sent = try await h.post("/v1/batches/\(id)/send", [:])
            #expect(sent.status == .accepted)
            #expect(sent["status"] == "scheduled")
        }
    }

    @Test func retryRejectsUnretryableStatuses() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([["to": "a@example.com"]])["id"]?.stringValue)
            _ = try await h.post("/v1/batches/\(id)/send", [:])
            let reply = try await h.post("/v1/batches/\(id)/retry", ["statuses": ["delivered", "nonsense"]])
            #expect(reply.status == .unprocessableContent)
            #expect(reply.issues.count == 2)
        }
    }

    @Test func listFiltersAndForeignBatchesAre404() async throws {
        try await Harness.run { h in
            let first = try #require(try await h.emailBatch([["to": "a@example.com"]])["id"]?.stringValue)
            _ = try await h.emailBatch([["to": "b@example.com"]])
            _ = try await h.post("/v1/batches/\(first)/send", [:])
            let queued = try await h.get("/v1/batches?status=queued")
            #expect(queued["data"]?.arrayValue?.map { $0["id"] } == [.string(first)])
            let all = try await h.get("/v1/batches?module=email")
            #expect(all["data"]?.arrayValue?.count == 2)
            #expect(all["data"]?.arrayValue?.last?["id"] == .string(first), "newest first")
            #expect(try await h.get("/v1/batches?status=bogus").status == .badRequest)
            #expect(try await h.get("/v1/batches?module=fax").status == .badRequest)
            let other = try await h.otherWorkspaceKey()
            #expect(try await h.get("/v1/batches/\(first)", key: other).status == .notFound)
            #expect(try await h.post("/v1/batches/\(first)/cancel", [:], key: other).status == .notFound)
            #expect(try await h.get("/v1/batches/\(first)/recipients", key: other).status == .notFound)
            #expect(try await h.get("/v1/batches", key: other)["data"]?.arrayValue?.isEmpty == true)
        }
    }
}

import Foundation

@Suite struct RetryAfterConfigDeletionTests {
    @Test func retryIsAConflictOnceTheSendConfigIsGone() async throws {
        try await Harness.run { h in
            let config = try await h.sendConfig(module: "email", provider: "sandbox")
            let id = try #require(try await h.emailBatch([["to": "a@example.com"]], configID: config)["id"]?.stringValue)
            _ = try await h.post("/v1/batches/\(id)/cancel", [:])
            #expect(try await h.request(.delete, "/v1/send-configs/\(config)").status == .noContent)
            let reply = try await h.post("/v1/batches/\(id)/retry", ["statuses": ["cancelled"]])
            #expect(reply.status == .conflict)
            #expect(reply["detail"]?.stringValue?.contains("deleted") == true)
        }
    }
}

@Suite struct EmptyBodyTests {
    @Test func stateChangesAcceptAnEmptyBodyOfAnyType() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([["to": "a@example.com"]])["id"]?.stringValue)
            let sent = try await h.request(
                .post, "/v1/batches/\(id)/send", body: "", contentType: "application/x-www-form-urlencoded")
            #expect(sent.status == .accepted, "\(sent.text)")
            let refused = try await h.request(
                .post, "/v1/batches/\(id)/pause", body: "a=b", contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .unsupportedMediaType)
        }
    }
}
