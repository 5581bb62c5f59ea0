import BatchSenderAPI
import BatchSenderApp
import BatchSenderCore
import BatchSenderSecrets
import BatchSenderStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// `/v1/users` (CONTRACT §10): admin keys manage the workspace's dashboard users; passwords go in
/// and never come out.
@Suite struct UsersAPITests {
    static let password = "correct horse battery staple"

    @Test func createListShowUpdateDelete() async throws {
        try await UsersHarness.run { h in
            let created = try await h.post("/v1/users", ["email": "Ann@Example.com", "role": "admin", "password": .string(Self.password)])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created["id"]?.stringValue)
            #expect(id.hasPrefix("usr_"))
            #expect(created["email"]?.stringValue == "Ann@Example.com")
            #expect(created["role"]?.stringValue == "admin")
            #expect(Set(created.json.objectValue?.keys.map { $0 } ?? []) == ["id", "email", "role", "createdAt", "updatedAt"])

            // The stored hash is bcrypt of the password, at the harness's cost.
            let stored = try #require(try await h.store.user(email: "ann@example.com"))
            #expect(stored.passwordHash.hasPrefix("$2b$04$"))
            #expect(await PasswordHasher(cost: 4).verify(Self.password, hash: stored.passwordHash))

            let defaulted = try await h.post("/v1/users", ["email": "bob@example.com", "password": "12345678"])
            #expect(defaulted["role"]?.stringValue == "member", "member by default")

            let list = try await h.get("/v1/users?limit=1")
            #expect(list.status == .ok)
            #expect(list["data"]?.arrayValue?.first?["email"]?.stringValue == "bob@example.com", "newest first")
            #expect(list["nextCursor"]?.stringValue != nil)
            #expect(try await h.get("/v1/users/\(id)")["email"]?.stringValue == "Ann@Example.com")

            let patched = try await h.request(.patch, "/v1/users/\(id)", body: #"{"role":"viewer","password":"another password"}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched["role"]?.stringValue == "viewer")
            let changed = try #require(try await h.store.user(email: "ann@example.com"))
            #expect(await PasswordHasher(cost: 4).verify("another password", hash: changed.passwordHash))

            #expect(try await h.request(.delete, "/v1/users/\(id)").status == .noContent)
            #expect(try await h.request(.delete, "/v1/users/\(id)").status == .notFound)
            #expect(try await h.get("/v1/users/\(id)").status == .notFound)
        }
    }

    @Test func badInputIs422AndDuplicatesAre409() async throws {
        try await UsersHarness.run { h in
            let cases: [(JSONValue, String)] = [
                (["email": "not-an-email", "password": "12345678"], "email"),
                (["password": "12345678"], "email"),
                (["email": "a@example.com"], "password"),
                (["email": "a@example.com", "password": ""], "password"),
                (["email": "a@example.com", "password": "short"], "password"),
                (["email": "a@example.com", "password": .string(String(repeating: "x", count: 73))], "password"),
                (["email": "a@example.com", "password": 12345678], "password"),
                (["email": "a@example.com", "password": "12345678", "role": "owner"], "role"),
            ]
            for (body, field) in cases {
                let reply = try await h.post("/v1/users", body)
                #expect(reply.status == .unprocessableContent, "\(body): \(reply.text)")
                #expect(reply.isProblem)
                #expect(reply.issues.contains { $0["field"]?.stringValue == field }, "\(body): \(reply.text)")
            }
            #expect(try await h.post("/v1/users", ["email": "a@example.com", "password": "12345678"]).status == .created)
            let twice = try await h.post("/v1/users", ["email": "A@EXAMPLE.COM", "password": "12345678"])
            #expect(twice.status == .conflict, "\(twice.text)")
            let id = try #require(try await h.store.user(email: "a@example.com")).id.rawValue
            #expect(try await h.request(.patch, "/v1/users/\(id)", body: "{}").status == .unprocessableContent)
            #expect(try await h.request(.patch, "/v1/users/\(id)", body: #"{"email":"b@example.com"}"#).status == .unprocessableContent)
            #expect(try await h.request(.patch, "/v1/users/\(id)", body: #"{"password":"short"}"#).status == .unprocessableContent)
        }
    }

    @Test func usersBelongToTheirWorkspace() async throws {
        try await UsersHarness.run { h in
            let created = try await h.post("/v1/users", ["email": "a@example.com", "password": "12345678"])
            let id = try #require(created["id"]?.stringValue)
            let other = try await h.otherWorkspaceKey()
            #expect(try await h.get("/v1/users/\(id)", key: other).status == .notFound)
            #expect(try await h.request(.delete, "/v1/users/\(id)", key: other).status == .notFound)
            #expect(try await h.get("/v1/users", key: other)["data"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func onlyAdminKeysManageUsers() async throws {
        try await UsersHarness.run { h in
            for scope in [APIScope.send, .read] {
                let key = try await BatchSender.createKey(name: "k", workspaceSlug: "default", scopes: [scope], in: h.store)
                #expect(try await h.get("/v1/users", key: key).status == .forbidden)
                #expect(try await h.post("/v1/users", ["email": "a@example.com", "password": "12345678"], key: key).status == .forbidden)
            }
            #expect(try await h.store.user(email: "a@example.com") == nil)
        }
    }

    /// The password is in no response and in no log line, at trace level, through create,
    /// replay, update and a failed duplicate; nor is its hash.
    @Test func thePasswordAndItsHashAreNeverAnsweredOrLogged() async throws {
        let secret = "Secret-Pa55word-\(UUID().uuidString.prefix(8))"
        let logs = LogCapture()
        try await UsersHarness.run(logger: logs.logger) { h in
            var replies: [Reply] = []
            let body: JSONValue = ["email": "leak@example.com", "role": "admin", "password": .string(secret)]
            replies.append(try await h.post("/v1/users", body, headers: [HTTPField.Name("Idempotency-Key")!: "u-1"]))
            replies.append(try await h.post("/v1/users", body, headers: [HTTPField.Name("Idempotency-Key")!: "u-1"]))
            replies.append(try await h.post("/v1/users", body))
            let id = try #require(replies[0]["id"]?.stringValue)
            replies.append(try await h.request(.patch, "/v1/users/\(id)", body: #"{"password":"\#(secret)x"}"#))
            replies.append(try await h.get("/v1/users"))
            replies.append(try await h.get("/v1/users/\(id)"))
            #expect(replies.map(\.status.code) == [201, 201, 409, 200, 200, 200])
            #expect(replies[1].headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let hash = try #require(try await h.store.user(email: "leak@example.com")).passwordHash
            for reply in replies {
                #expect(!reply.text.contains(secret))
                #expect(!reply.text.contains(hash))
                #expect(!reply.text.contains("$2b$"))
            }
        }
        let logged = logs.text
        #expect(!logged.isEmpty, "the capture sees the server's log lines")
        #expect(!logged.contains(secret))
        #expect(!logged.contains("$2b$"))
    }

    /// Idempotency records of user creates keep a keyed fingerprint, not a plain hash of a body
    /// that holds a password.
    @Test func idempotencyRecordsKeepNoPlainHashOfThePassword() async throws {
        try await UsersHarness.run { h in
            let body = #"{"email":"k@example.com","password":"12345678"}"#
            let reply = try await h.request(.post, "/v1/users", body: body, headers: [HTTPField.Name("Idempotency-Key")!: "k-1"])
            #expect(reply.status == .created)
            let workspace = try #require(try await h.store.user(email: "k@example.com")).workspaceID
            // A claim with the plain fingerprint is a mismatch: the stored one is keyed.
            var plain = RequestFingerprint()
            plain.update("POST /v1/users?\n")
            plain.update(Data(body.utf8))
            let claim = try await h.store.claimIdempotencyKey(
                "k-1", in: workspace, requestHash: plain.finalize(), at: Date(), expiry: 3600)
            #expect(claim == .mismatch)
        }
    }
}

/// The API with a cheap bcrypt and, optionally, a logger of the test's.
enum UsersHarness {
    static func run(logger: Logger? = nil, _ test: @Sendable (Harness) async throws -> Void) async throws {
        let store = InMemoryStore()
        let key = try #require(try await BatchSender.bootstrap(store))
        var services = try BatchSender.services(AppConfig(), store: store, masterKey: Data(repeating: 7, count: 32))
        services.passwords = PasswordHasher(cost: 4)
        let app = Application(router: buildAPIRouter(services), logger: logger ?? Logger(label: "test"))
        try await app.test(.router) { client in
            try await test(Harness(client: client, store: store, key: key))
        }
    }
}

/// Every log line and its metadata, as text.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    var logger: Logger {
        var logger = Logger(label: "capture") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all)")
        }
    }
}
