import BatchSenderAPI
@testable import BatchSenderApp
import BatchSenderCore
import BatchSenderSQLite
import BatchSenderSecrets
import BatchSenderStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A SQLite database filled through the API the way a server fills it — a key made with an
/// `Idempotency-Key`, a send config with credentials, a batch whose recipients carry values that
/// need escaping, a suppression — plus a pending provider event and a sandbox message.
struct CopyFixture: Sendable {
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!
    static let signingSecret = "whsec_" + Data((0..<32).map { UInt8($0 * 3 + 1) }).base64EncodedString()
    /// Values that need escaping in one format or another.
    static let awkward = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "quote\" 'single'", "emoji 🚀 ünïcödé", ""]

    let path: String
    /// The bootstrap admin key.
    let adminKey: String
    let sendConfigID: String
    /// The first answer to `POST /v1/api-keys` with Idempotency-Key `copy-1` and `opsKeyBody`.
    let opsKeyReply: String
    /// A key with scopes, so the copy carries a non-default `scopes` value.
    static let opsKeyBody = #"{"name":"ops","scopes":["send","read"]}"#
    /// The password of the fixture's dashboard user.
    static let userPassword = "copy-Pa55word"

    var keyFilePath: String { AppConfig.keyFilePath(forDatabase: path) }

    /// `bs.db` in a new temporary directory.
    static func temporaryPath(_ name: String = "bs.db") -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bs-copy-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    /// A new populated database; its master key is its key file (made like a server makes it).
    static func make(recipients: Int = 7) async throws -> CopyFixture {
        let path = temporaryPath()
        let store = try await BatchSender.openSQLite(path: path)
        let masterKey = try MasterKey.loadOrCreate(at: AppConfig.keyFilePath(forDatabase: path))
        let adminKey = try #require(try await BatchSender.bootstrap(store))
        var services = try BatchSender.services(AppConfig(database: .sqlite(path: path)), store: store, masterKey: masterKey)
        services.passwords = PasswordHasher(cost: 4)
        return try await Application(router: buildAPIRouter(services)).test(.router) { client in
            let api = CopyAPI(client: client, key: adminKey)
            let config = try await api.post(
                "/v1/send-configs",
                #"{"name":"hooks","module":"webhook","provider":"http","credentials":{"signingSecret":"\#(signingSecret)"}}"#)
            #expect(config.status == 201, "\(config.text)")
            let configID = try #require(CopyJSON.object(config.text)["id"] as? String)
            let ops = try await api.post("/v1/api-keys", opsKeyBody, headers: [idempotencyHeader: "copy-1"])
            #expect(ops.status == 201, "\(ops.text)")
            let user = try await api.post(
                "/v1/users", #"{"email":"Ops@Example.com","role":"viewer","password":"\#(userPassword)"}"#)
            #expect(user.status == 201, "\(user.text)")
            let people = (0..<recipients).map { n in
                ["to": "https://example.com/hook/\(n)", "variables": ["note": awkward[n % awkward.count], "n": n]] as [String: Any]
            }
            let batch = try await api.post("/v1/batches", CopyJSON.encode([
                "name": "copy \t test", "sendConfigId": configID, "recipients": people, "payload": ["body": ["note": "{{note}}"]],
            ]))
            #expect(batch.status == 201, "\(batch.text)")
            let suppression = try await api.post("/v1/suppressions", #"{"address":"gone@example.com","reason":"manual"}"#)
            #expect(suppression.status == 201, "\(suppression.text)")
            let batchID = try #require(CopyJSON.object(batch.text)["id"] as? String)
            let workspace = try #require(try await store.apiKey(secretHash: APIKeySecret.hash(adminKey))).workspaceID
            let sendConfig = try #require(try await store.sendConfig(SendConfig.ID(rawValue: configID), in: workspace))
            _ = try await store.recordEvents(
                [ProviderEvent(eventID: "evt\t1", messageID: "unmatched\\id", kind: .bounced, hard: true,
                    detail: "550\nuser unknown", occurredAt: Date())],
                for: sendConfig, now: Date())
            try await store.recordSandboxMessages([
                SandboxMessage(
                    recipientID: Recipient.ID(row: 1), batchID: Batch.ID(rawValue: batchID), sendConfigID: sendConfig.id,
                    providerMessageID: "sandbox_1", content: ["text": .string(awkward[0])], createdAt: Date())
            ])
            return CopyFixture(path: path, adminKey: adminKey, sendConfigID: configID, opsKeyReply: ops.text)
        }
    }

    /// Every row of every copied table, in key order.
    static func rows(of path: String) async throws -> [String: [[CopyValue]]] {
        let reader = try SQLiteStore(path: path).copyReader()
        var rows: [String: [[CopyValue]]] = [:]
        for entry in CopyCatalog.copied { rows[entry.table.name] = try await reader.page(of: entry.table, after: nil, limit: 100_000) }
        return rows
    }

    /// Runs the API on the SQLite database at `path` with `masterKey`.
    static func withAPI(path: String, masterKey: Data, _ body: @Sendable (any TestClientProtocol) async throws -> Void)
        async throws
    {
        let store = try await BatchSender.openSQLite(path: path)
        let services = try BatchSender.services(AppConfig(database: .sqlite(path: path)), store: store, masterKey: masterKey)
        try await Application(router: buildAPIRouter(services)).test(.router) { client in try await body(client) }
    }
}

/// A few calls of the API through the router test client.
struct CopyAPI: Sendable {
    let client: any TestClientProtocol
    let key: String

    func post(_ path: String, _ body: String, headers extra: HTTPFields = [:]) async throws -> (status: Int, text: String, headers: HTTPFields) {
        var headers = extra
        headers[.authorization] = "Bearer \(key)"
        headers[.contentType] = "application/json"
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        return (response.status.code, String(buffer: response.body), response.headers)
    }

    func get(_ path: String) async throws -> (status: Int, text: String) {
        let response = try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(key)"], body: nil)
        return (response.status.code, String(buffer: response.body))
    }
}

/// Minimal JSON access.
enum CopyJSON {
    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static func encode(_ value: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Collects the lines `copyData` reports.
final class ReportedLines: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
}
