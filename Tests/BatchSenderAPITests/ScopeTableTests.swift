import BatchSenderAPI
import BatchSenderApp
import BatchSenderCore
import BatchSenderSecrets
import BatchSenderStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Walks EVERY route of the API router (Hummingbird's `Router.routes`) with a key of each scope
/// and checks 403 against CONTRACT §10, written here as rules of its own rather than read from
/// `RoutePermissions`. A route added without a rule is refused even to admin keys, so it fails
/// here until the table names it.
@Suite struct ScopeTableTests {
    /// CONTRACT §10 in predicate form: whether a key of `scope` may call `method path`.
    static func contractAllows(_ scope: APIScope, _ method: HTTPRequest.Method, _ path: String) -> Bool {
        let adminOnlyReads = ["/v1/audit-log", "/v1/users"]
        let isAdminOnlyRead = adminOnlyReads.contains { path == $0 || path.hasPrefix($0 + "/") }
        switch scope {
        case .admin:
            return true
        case .read:
            return method == .get && !isAdminOnlyRead
        case .send:
            if method == .get { return !isAdminOnlyRead }
            if path.hasPrefix("/v1/batches") || path.hasPrefix("/v1/suppressions") { return true }
            return method == .post && path == "/v1/send-configs/{id}/test"
        }
    }

    /// Routes that need no key at all, hence no scope (CONTRACT §6, §8).
    static func isUnauthenticated(_ path: String) -> Bool {
        ["/health", "/ready", "/metrics"].contains(path) || path.hasPrefix("/v1/events/")
    }

    @Test func everyRouteAgreesWithTheContractForEveryScope() async throws {
        let store = InMemoryStore()
        _ = try #require(try await BatchSender.bootstrap(store))
        var keys: [APIScope: String] = [:]
        for scope in APIScope.allCases {
            keys[scope] = try await BatchSender.createKey(name: scope.rawValue, workspaceSlug: "default", scopes: [scope], in: store)
        }
        var services = try BatchSender.services(AppConfig(), store: store, masterKey: Data(repeating: 7, count: 32))
        services.metrics = MetricsEndpoint(token: nil) { "" }
        services.passwords = PasswordHasher(cost: 4)
        let router = buildAPIRouter(services)
        // (method, path) pairs: Hummingbird's RouteDescription is not Sendable.
        let routes = router.routes.map { ($0.method, $0.path.description) }
        #expect(routes.count >= 30, "the walk sees the whole router: \(routes.count) routes")
        #expect(routes.contains { $0.1 == "/v1/users/{id}" && $0.0 == .delete })
        let scopedKeys = keys

        try await Application(router: router).test(.router) { client in
            for (method, path) in routes {
                // Any value will do for parameters: the permission check runs before the handler.
                let uri = path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x0", options: .regularExpression)
                for scope in APIScope.allCases {
                    let response = try await client.execute(
                        uri: uri, method: method,
                        headers: [.authorization: "Bearer \(scopedKeys[scope] ?? "")", .contentType: "application/json"],
                        body: ByteBuffer(string: "{}"))
                    let expectForbidden = !Self.isUnauthenticated(path) && !Self.contractAllows(scope, method, path)
                    #expect(
                        (response.status == .forbidden) == expectForbidden,
                        "\(method) \(path) with a \(scope) key answered \(response.status.code): \(String(buffer: response.body))")
                    if response.status == .forbidden {
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                }
            }
        }
    }

    /// Every rule of the table names a route the router has, except those whose route is still to
    /// come (listed here, so a typo in the table cannot hide).
    @Test func theTableNamesOnlyRealRoutes() async throws {
        let store = InMemoryStore()
        let services = try BatchSender.services(AppConfig(), store: store, masterKey: Data(repeating: 7, count: 32))
        let routes = Set(buildAPIRouter(services).routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let planned: Set<String> = ["GET /v1/audit-log"]
        #expect(Set(RoutePermissions.table.keys).subtracting(routes) == planned)
    }

    @Test func aForbiddenRequestSaysWhichScopeItNeeds() async throws {
        try await Harness.run { h in
            let reader = try await BatchSender.createKey(name: "r", workspaceSlug: "default", scopes: [.read], in: h.store)
            let reply = try await h.post("/v1/batches", ["name": "x"], key: reader)
            #expect(reply.status == .forbidden)
            #expect(reply.isProblem)
            #expect(reply["detail"]?.stringValue?.contains("needs admin or send") == true, "\(reply.text)")
            #expect(try await h.store.batches(
                in: try #require(try await h.store.apiKey(secretHash: APIKeySecret.hash(reader))).workspaceID,
                filter: BatchFilter(), page: PageRequest()).items.isEmpty, "nothing created")
        }
    }

    /// A key holding several scopes may do what any of them grants.
    @Test func scopesCombine() async throws {
        try await Harness.run { h in
            let key = try await BatchSender.createKey(name: "rs", workspaceSlug: "default", scopes: [.read, .send], in: h.store)
            #expect(try await h.post("/v1/suppressions", ["address": "a@example.com"], key: key).status == .created)
            #expect(try await h.get("/v1/suppressions", key: key).status == .ok)
            #expect(try await h.post("/v1/api-keys", ["name": "x"], key: key).status == .forbidden)
        }
    }
}
