import Foundation
import Testing

/// The binary as a new user runs it: serve, first-start admin key, keys create, migrate, SIGTERM.
@Suite(.serialized) struct CommandLineTests {
    /// A fresh database path per test (Swift Testing makes a new suite value for each test).
    let database = Binary.temporaryDatabase()


    @Test func firstStartPrintsOneAdminKeyAndRestartsQuietly() async throws {
        let first = try ServerProcess(databasePath: database)
        try await first.waitUntilHealthy()
        let (status, body) = try await first.request("GET", "/ready")
        #expect(status == 200, "\(body)")
        #expect(await first.terminate() == 0)
        let lines = first.readOutput().split(separator: "\n")
        #expect(lines.count == 1)
        let key = try #require(lines.first.flatMap { $0.hasPrefix("admin api key: ") ? String($0.dropFirst(15)) : nil })

        // The key file was generated beside the database, private to its owner.
        let attributes = try FileManager.default.attributesOfItem(atPath: database + ".key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let second = try ServerProcess(databasePath: database)
        try await second.waitUntilHealthy()
        let (authed, _) = try await second.request("GET", "/v1/batches", key: key)
        #expect(authed == 200, "the key survives a restart")
        let (created, config) = try await second.request(
            "POST", "/v1/send-configs", key: key,
            body: #"{"name":"r","module":"email","provider":"resend","credentials":{"apiKey":"re_secret_value_1234"}}"#)
        #expect(created == 201, "\(config)")
        #expect(await second.terminate() == 0)
        #expect(second.readOutput().isEmpty, "the admin key is printed once only")

        // Credentials sealed under the generated key open again after a restart.
        let third = try ServerProcess(databasePath: database)
        try await third.waitUntilHealthy()
        let id = try #require(config.split(separator: "\"").drop { $0 != "id" }.dropFirst(2).first)
        let (patched, patchBody) = try await third.request("PATCH", "/v1/send-configs/\(id)", key: key, body: #"{"name":"renamed"}"#)
        #expect(patched == 200, "\(patchBody)")
        #expect(await third.terminate() == 0)
    }

    @Test func keysCreatePrintsOnlyTheKeyAndWorksWhileServing() async throws {
        let (migrated, _, migrateErr) = try Binary.run(["migrate", "--database-url", "sqlite:\(database)"])
        #expect(migrated == 0, "\(migrateErr)")
        let server = try ServerProcess(databasePath: database)
        try await server.waitUntilHealthy()
        let (code, out, err) = try Binary.run(
            ["keys", "create", "--name", "ops", "--workspace", "acme"], environment: ["BATCHSENDER_DATABASE_URL": "sqlite:\(database)"])
        #expect(code == 0, "\(err)")
        let key = out.trimmingCharacters(in: .newlines)
        #expect(key.hasPrefix("bsk_"))
        #expect(!key.contains("\n"))
        let (status, _) = try await server.request("GET", "/v1/api-keys", key: key)
        #expect(status == 200)
        #expect(await server.terminate() == 0)
    }

    @Test func badSettingsFailWithAClearMessage() throws {
        let (code, _, err) = try Binary.run(["serve", "--database-url", "mysql://x", "--port", "1"])
        #expect(code != 0)
        #expect(err.contains("BATCHSENDER_DATABASE_URL"))
        #expect(err.split(separator: "\n").count == 1, "one line, no usage text: \(err)")
        let (roleCode, _, roleErr) = try Binary.run(["serve", "--role", "api", "--database-url", "sqlite:\(database)"])
        #expect(roleCode != 0)
        #expect(roleErr.contains("SQLite"))
    }
}
