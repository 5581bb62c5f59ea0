import BatchSenderApp
import BatchSenderCore
import BatchSenderSecrets
import BatchSenderStore
import Testing

/// `POST /v1/api-keys {name, scopes?}` (CONTRACT §10).
@Suite struct APIKeyScopesTests {
    @Test func scopesAreStoredShownAndEnforced() async throws {
        try await Harness.run { h in
            let created = try await h.post("/v1/api-keys", ["name": "reporting", "scopes": ["read"]])
            #expect(created.status == .created, "\(created.text)")
            #expect(created["scopes"] == ["read"])
            let key = try #require(created["key"]?.stringValue)
            #expect(try await h.store.apiKey(secretHash: APIKeySecret.hash(key))?.scopes == [.read])

            let plain = try await h.post("/v1/api-keys", ["name": "plain"])
            #expect(plain["scopes"] == ["admin"], "admin by default")
            let both = try await h.post("/v1/api-keys", ["name": "both", "scopes": ["send", "read"]])
            #expect(both["scopes"] == ["send", "read"])

            let list = try await h.get("/v1/api-keys", key: key)
            #expect(list.status == .ok, "a read key lists keys")
            let scopes = list["data"]?.arrayValue?.compactMap { $0["scopes"] } ?? []
            #expect(scopes == [["send", "read"], ["admin"], ["read"], ["admin"]], "\(list.text)")
            #expect(!list.text.contains(key), "never the key itself")

            #expect(try await h.post("/v1/batches", ["name": "x"], key: key).status == .forbidden)
            #expect(try await h.post("/v1/api-keys", ["name": "escalate", "scopes": ["admin"]], key: key).status == .forbidden)
            let id = try #require(created["id"]?.stringValue)
            #expect(try await h.request(.delete, "/v1/api-keys/\(id)", key: key).status == .forbidden)
            #expect(try await h.request(.delete, "/v1/api-keys/\(id)").status == .noContent)
            #expect(try await h.get("/v1/api-keys", key: key).status == .unauthorized, "revoked")
        }
    }

    @Test func invalidScopesAre422() async throws {
        try await Harness.run { h in
            let bodies: [JSONValue] = [
                ["name": "k", "scopes": []],
                ["name": "k", "scopes": ["write"]],
                ["name": "k", "scopes": ["read", "read"]],
                ["name": "k", "scopes": "admin"],
                ["name": "k", "scopes": [1]],
                ["name": "k", "scopes": ["Admin"]],
            ]
            for body in bodies {
                let reply = try await h.post("/v1/api-keys", body)
                #expect(reply.status == .unprocessableContent, "\(body): \(reply.text)")
                #expect(reply.isProblem)
                #expect(reply.issues.contains { $0["field"]?.stringValue == "scopes" }, "\(reply.text)")
            }
            #expect(try await h.get("/v1/api-keys")["data"]?.arrayValue?.count == 1, "nothing created")
        }
    }
}
