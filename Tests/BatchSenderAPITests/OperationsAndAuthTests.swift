import BatchSenderCore
import Hummingbird
import Testing

@Suite struct OperationsAndAuthTests {
    @Test func healthAndReadyNeedNoKey() async throws {
        try await Harness.run { h in
            let health = try await h.request(.get, "/health", key: "")
            #expect(health.status == .ok)
            #expect(health["status"] == "ok")
            let ready = try await h.request(.get, "/ready", key: "")
            #expect(ready.status == .ok)
        }
    }

    @Test func missingKeyIs401Problem() async throws {
        try await Harness.run { h in
            let reply = try await h.request(.get, "/v1/batches", key: "")
            #expect(reply.status == .unauthorized)
            #expect(reply.isProblem)
            #expect(reply["status"]?.intValue == 401)
            #expect(reply.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test func invalidKeyIs401() async throws {
        try await Harness.run { h in
            let reply = try await h.request(.get, "/v1/batches", key: "bsk_not-a-real-key")
            #expect(reply.status == .unauthorized)
            #expect(reply.isProblem)
            let basic = try await h.request(.get, "/v1/batches", key: "", headers: [.authorization: "Basic abc"])
            #expect(basic.status == .unauthorized)
        }
    }

    @Test func unknownRouteIs404Problem() async throws {
        try await Harness.run { h in
            let reply = try await h.get("/v1/nothing-here")
            #expect(reply.status == .notFound)
            #expect(reply.isProblem)
        }
    }

    @Test func apiKeysCreateListRevoke() async throws {
        try await Harness.run { h in
            let created = try await h.post("/v1/api-keys", ["name": "ci"])
            #expect(created.status == .created)
            let key = try #require(created["key"]?.stringValue)
            let id = try #require(created["id"]?.stringValue)
            #expect(key.hasPrefix("bsk_"))
            #expect(created["prefix"]?.stringValue.map { key.hasPrefix($0) } == true)

            // The new key works and the list never shows a key.
            let list = try await h.get("/v1/api-keys", key: key)
            #expect(list.status == .ok)
            #expect(list["data"]?.arrayValue?.count == 2)
            #expect(!list.text.contains(key))
            #expect(list["data"]?.arrayValue?.allSatisfy { $0["key"] == nil } == true)

            let revoked = try await h.request(.delete, "/v1/api-keys/\(id)")
            #expect(revoked.status == .noContent)
            let after = try await h.get("/v1/batches", key: key)
            #expect(after.status == .unauthorized)
            #expect(after["detail"]?.stringValue?.contains("revoked") == true)
            // Unknown ids and other workspaces' ids are 404.
            let unknown = try await h.request(.delete, "/v1/api-keys/key_01JD3Y0000000000000000000")
            #expect(unknown.status == .notFound)
        }
    }

    @Test func apiKeyNameIsRequired() async throws {
        try await Harness.run { h in
            let reply = try await h.post("/v1/api-keys", [:])
            #expect(reply.status == .unprocessableContent)
            #expect(reply.issues.first?["field"] == "name")
        }
    }

    @Test func otherWorkspaceKeysAreInvisible() async throws {
        try await Harness.run { h in
            let other = try await h.otherWorkspaceKey()
            let list = try await h.get("/v1/api-keys", key: other)
            #expect(list["data"]?.arrayValue?.count == 1)
            let mine = try #require(try await h.get("/v1/api-keys")["data"]?.arrayValue?.first?["id"]?.stringValue)
            let reply = try await h.request(.delete, "/v1/api-keys/\(mine)", key: other)
            #expect(reply.status == .notFound)
        }
    }
}
