import BatchSenderAPI
import BatchSenderApp
import BatchSenderCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Secrets do not sit in the database in plaintext, and its files are the owner's alone.
@Suite struct SecretsAtRestTests {
    /// A fresh SQLite database in a temporary directory, served through the router.
    static func withSQLiteAPI(_ test: @Sendable (_ client: any TestClientProtocol, _ key: String, _ path: String) async throws -> Void)
        async throws
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bs-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bs.db").path
        let config = AppConfig(database: .sqlite(path: path))
        let store = try await BatchSender.openSQLite(path: path)
        let masterKey = try BatchSender.masterKey(config)
        let admin = try #require(try await BatchSender.bootstrap(store))
        let app = Application(router: buildAPIRouter(try BatchSender.services(config, store: store, masterKey: masterKey)))
        try await app.test(.router) { client in try await test(client, admin, path) }
    }

    static func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test func anIdempotentAPIKeyCreationReplaysTheKeyWithoutStoringIt() async throws {
        try await Self.withSQLiteAPI { client, admin, path in
            let headers: HTTPFields = [
                .authorization: "Bearer \(admin)", .contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "key-1",
            ]
            func create() async throws -> (HTTPResponse.Status, JSONValue) {
                let response = try await client.execute(
                    uri: "/v1/api-keys", method: .post, headers: headers, body: ByteBuffer(string: #"{"name":"ci"}"#))
                return (response.status, JSONValue.parse(String(buffer: response.body)) ?? .null)
            }
            let (status, first) = try await create()
            #expect(status == .created)
            let plaintext = try #require(first["key"]?.stringValue)
            let (replayStatus, replay) = try await create()
            #expect(replayStatus == .created)
            #expect(replay["key"]?.stringValue == plaintext, "a retry after a lost answer still gets its key")
            for file in [path, path + "-wal"] {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                #expect(bytes.range(of: Data(plaintext.utf8)) == nil, "\(file) holds the plaintext key")
                #expect(bytes.range(of: Data(plaintext.suffix(16).utf8)) == nil, "\(file) holds part of the plaintext key")
            }
        }
    }

    @Test func databaseFilesAreCreatedPrivate() async throws {
        try await Self.withSQLiteAPI { _, _, path in
            for file in [path, path + "-wal", path + "-shm", path + ".key"] {
                #expect(FileManager.default.fileExists(atPath: file), "\(file)")
                let mode = try Self.mode(of: file)
                #expect(mode & 0o077 == 0, "\(file) is readable by others")
            }
        }
    }
}
