import BatchSenderAPI
import BatchSenderApp
import BatchSenderCore
import BatchSenderStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A decoded test response.
struct Reply {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var text: String
    var json: JSONValue { JSONValue.parse(text) ?? .null }

    subscript(key: String) -> JSONValue? { json[key] }

    /// The `errors` of a problem response.
    var issues: [JSONValue] { json["errors"]?.arrayValue ?? [] }

    var isProblem: Bool { headers[.contentType] == "application/problem+json" && json["detail"]?.stringValue != nil }
}

/// The API on an in-memory store, driven through Hummingbird's router test client.
struct Harness: Sendable {
    let client: any TestClientProtocol
    let store: InMemoryStore
    /// The bootstrap admin key of workspace `default`.
    let key: String

    static func run(
        limits: Limits = Limits(), config: AppConfig = AppConfig(), rateLimiter: KeyedRateLimiter<APIKey.ID>? = nil,
        _ test: @Sendable (Harness) async throws -> Void
    ) async throws {
        let store = InMemoryStore()
        let key = try #require(try await BatchSender.bootstrap(store))
        var services = try BatchSender.services(config, store: store, masterKey: Data(repeating: 7, count: 32))
        services.limits = limits
        if let rateLimiter { services.rateLimiter = rateLimiter }
        let app = Application(router: buildAPIRouter(services))
        try await app.test(.router) { client in
            try await test(Harness(client: client, store: store, key: key))
        }
    }

    func request(
        _ method: HTTPRequest.Method, _ path: String, body: String? = nil, key: String? = nil,
        contentType: String? = "application/json", headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let auth = key ?? self.key as String?, !auth.isEmpty { headers[.authorization] = "Bearer \(auth)" }
        if body != nil, let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func post(_ path: String, _ json: JSONValue, key: String? = nil, headers: HTTPFields = [:]) async throws -> Reply {
        try await request(.post, path, body: json.jsonText(), key: key, headers: headers)
    }

    func get(_ path: String, key: String? = nil) async throws -> Reply {
        try await request(.get, path, key: key)
    }

    /// A send config of `module`/`provider`; returns its id.
    func sendConfig(
        module: String = "webhook", provider: String = "http", credentials: JSONValue = [:], key: String? = nil
    ) async throws -> String {
        let reply = try await post(
            "/v1/send-configs",
            ["name": "test", "module": .string(module), "provider": .string(provider), "credentials": credentials],
            key: key)
        #expect(reply.status == .created, "\(reply.text)")
        return try #require(reply["id"]?.stringValue)
    }

    /// A draft email batch on a sandbox config with the given recipients; returns the reply.
    func emailBatch(_ recipients: [JSONValue] = [], configID: String? = nil, extra: [String: JSONValue] = [:])
        async throws -> Reply
    {
        let config: String
        if let configID { config = configID } else { config = try await sendConfig(module: "email", provider: "sandbox") }
        var body: [String: JSONValue] = [
            "name": "November", "sendConfigId": .string(config),
            "payload": ["from": "news@example.com", "subject": "Hi {{name}}", "html": "<p>Hello {{name}}</p>"],
            "recipients": .array(recipients),
        ]
        for (k, v) in extra { body[k] = v }
        return try await post("/v1/batches", .object(body))
    }

    /// Creates a second workspace with its own key.
    func otherWorkspaceKey() async throws -> String {
        try await BatchSender.createKey(name: "other", workspaceSlug: "other", in: store)
    }
}

