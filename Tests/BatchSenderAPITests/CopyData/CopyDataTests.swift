@testable import BatchSenderApp
import BatchSenderCore
import BatchSenderSQLite
import BatchSenderSecrets
import BatchSenderStore
import Foundation
import Logging
import Testing

/// `batchsender copy-data` between SQLite databases, in process: what it copies, how it checks,
/// and what it refuses. (SQLite ↔ PostgreSQL runs end to end, in `CopyDataEndToEndTests`.)
@Suite struct CopyDataTests {
    let logger = Logger(label: "copy-data-test")

    func copy(
        _ from: String, _ to: String, force: Bool = false, pageSize: Int = 3, fromKey: String? = nil, toKey: String? = nil,
        environment: [String: String] = [:]
    ) async throws -> (CopyDataReport, [String]) {
        let lines = ReportedLines()
        let report = try await BatchSender.copyData(
            CopyDataRequest(
                from: from, to: to, fromMasterKey: fromKey, toMasterKey: toKey, force: force, pageSize: pageSize,
                environment: environment),
            logger: logger, report: { lines.append($0) })
        return (report, lines.lines)
    }

    @Test func copiesEveryRowAndPrintsTheCounts() async throws {
        let fixture = try await CopyFixture.make(recipients: 7)
        let target = CopyFixture.temporaryPath()
        let (report, lines) = try await copy("sqlite:\(fixture.path)", "sqlite:\(target)")
        #expect(lines == [
            "workspaces: 1 copied", "api_keys: 2 copied", "users: 1 copied", "send_configs: 1 copied", "batches: 1 copied",
            "recipients: 7 copied", "suppressions: 1 copied", "idempotency_keys: 1 copied", "provider_events: 1 copied",
            "sandbox_messages: 1 copied",
        ])
        #expect(!report.resealed)
        // Same master key: every value arrives exactly as it was, sealed bytes included.
        #expect(try await CopyFixture.rows(of: target) == CopyFixture.rows(of: fixture.path))
        // The target had no key file: it gets the source's, private to the user.
        #expect(FileManager.default.contents(atPath: target + ".key") == FileManager.default.contents(atPath: fixture.keyFilePath))
        let mode = try FileManager.default.attributesOfItem(atPath: target + ".key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func differentKeysResealCredentialsAndStoredResponses() async throws {
        let fixture = try await CopyFixture.make()
        let target = CopyFixture.temporaryPath()
        let newKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        // BATCHSENDER_MASTER_KEY names the target's key; the source's is found in its key file.
        let (report, _) = try await copy(
            "sqlite:\(fixture.path)", "sqlite:\(target)", environment: ["BATCHSENDER_MASTER_KEY": newKey.base64EncodedString()])
        #expect(report.resealed)
        #expect(try CopyMasterKeys.readKeyFile(forDatabase: target)?.key == newKey)

        let before = try await CopyFixture.rows(of: fixture.path)
        let after = try await CopyFixture.rows(of: target)
        for entry in CopyCatalog.copied where entry.sealed == nil {
            #expect(after[entry.table.name] == before[entry.table.name], "\(entry.table.name)")
        }
        #expect(after["send_configs"] != before["send_configs"], "sealed under the new key")

        // Under the new key the API still opens what it sealed under the old one.
        let opsKeyReply = fixture.opsKeyReply
        try await CopyFixture.withAPI(path: target, masterKey: newKey) { client in
            let api = CopyAPI(client: client, key: fixture.adminKey)
            #expect(try await api.get("/v1/batches").status == 200, "API keys are hashes: they still authenticate")
            let replay = try await api.post("/v1/api-keys", CopyFixture.opsKeyBody, headers: [CopyFixture.idempotencyHeader: "copy-1"])
            #expect(replay.status == 201)
            #expect(replay.text == opsKeyReply, "the stored response was re-sealed, not lost")
            let opsKey = try #require(CopyJSON.object(opsKeyReply)["key"] as? String)
            #expect(try await CopyAPI(client: client, key: opsKey).get("/v1/batches").status == 200)
        }
        let store = try SQLiteStore(path: target)
        let workspace = try #require(try await store.apiKey(secretHash: APIKeySecret.hash(fixture.adminKey))).workspaceID
        let config = try #require(try await store.sendConfig(SendConfig.ID(rawValue: fixture.sendConfigID), in: workspace))
        #expect(try CredentialSealer(masterKey: newKey).open(config.sealedCredentials, for: config.id)
            == ["signingSecret": CopyFixture.signingSecret])
        // Scopes and users arrive as they were: the user's password still verifies.
        let opsKey = try #require(CopyJSON.object(opsKeyReply)["key"] as? String)
        #expect(try await store.apiKey(secretHash: APIKeySecret.hash(opsKey))?.scopes == [.send, .read])
        let user = try #require(try await store.user(email: "ops@example.com"))
        #expect(user.email == "Ops@Example.com" && user.role == .viewer)
        #expect(await PasswordHasher().verify(CopyFixture.userPassword, hash: user.passwordHash))
    }

    @Test func aNonEmptyTargetIsRefusedUnlessForced() async throws {
        let fixture = try await CopyFixture.make(recipients: 4)
        let target = CopyFixture.temporaryPath()
        _ = try await copy("sqlite:\(fixture.path)", "sqlite:\(target)")
        let refusal = try await #require(throws: ConfigError.self) {
            try await copy("sqlite:\(fixture.path)", "sqlite:\(target)")
        }
        #expect(refusal.description.hasPrefix("the target is not empty (workspaces: 1, api_keys: 2"), "\(refusal)")
        #expect(refusal.description.hasSuffix("pass --force to replace its contents"))
        let (_, lines) = try await copy("sqlite:\(fixture.path)", "sqlite:\(target)", force: true)
        #expect(lines.contains("recipients: 4 copied"))
        #expect(try await CopyFixture.rows(of: target) == CopyFixture.rows(of: fixture.path), "replaced, not appended")
    }

    @Test func aRefusedCopyWritesNothing() async throws {
        let source = try await CopyFixture.make(recipients: 1)
        let occupied = try await CopyFixture.make(recipients: 2)
        try FileManager.default.removeItem(atPath: occupied.keyFilePath)
        let before = try await CopyFixture.rows(of: occupied.path)
        await #expect(throws: ConfigError.self) { try await copy("sqlite:\(source.path)", "sqlite:\(occupied.path)") }
        #expect(!FileManager.default.fileExists(atPath: occupied.keyFilePath), "no key file for a target it refused")
        #expect(try await CopyFixture.rows(of: occupied.path) == before)
    }

    @Test func theSameDatabaseIsRefusedUnderAnyName() async throws {
        let fixture = try await CopyFixture.make(recipients: 1)
        let directory = (fixture.path as NSString).deletingLastPathComponent
        let alias = directory + "-alias"
        try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: directory)
        for other in [fixture.path, directory + "/./bs.db", alias + "/bs.db"] {
            let error = try await #require(throws: ConfigError.self) { try await copy("sqlite:\(fixture.path)", "sqlite:\(other)") }
            #expect(error.description == "--from and --to are the same database")
        }
    }

    @Test func unknownTablesAndColumnsStopTheCopy() async throws {
        let withTable = try await CopyFixture.make(recipients: 1)
        try await SQLiteStore(path: withTable.path).pool.write { db in
            try db.execute(sql: "CREATE TABLE throttles (send_config_id TEXT PRIMARY KEY, next_at REAL)")
        }
        let tableError = try await #require(throws: ConfigError.self) {
            try await copy("sqlite:\(withTable.path)", "sqlite:\(CopyFixture.temporaryPath())")
        }
        #expect(tableError.description.contains("the source has a table throttles that this batchsender's copy-data does not know"))

        let withColumn = try await CopyFixture.make(recipients: 1)
        try await SQLiteStore(path: withColumn.path).pool.write { db in
            try db.execute(sql: "ALTER TABLE recipients ADD COLUMN opened_at REAL")
        }
        let columnError = try await #require(throws: ConfigError.self) {
            try await copy("sqlite:\(withColumn.path)", "sqlite:\(CopyFixture.temporaryPath())")
        }
        #expect(columnError.description.contains("table recipients has a column opened_at"))
    }

    @Test func aSourceWithNewerMigrationsIsRefused() async throws {
        let fixture = try await CopyFixture.make(recipients: 1)
        try await SQLiteStore(path: fixture.path).pool.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        }
        let error = try await #require(throws: ConfigError.self) {
            try await copy("sqlite:\(fixture.path)", "sqlite:\(CopyFixture.temporaryPath())")
        }
        #expect(error.description.contains("has migrations this batchsender does not know (v99)"), "\(error)")
    }

    @Test func aSourceAServerUsesIsRefused() async throws {
        let fixture = try await CopyFixture.make(recipients: 1)
        let lock = try ServeLock(databasePath: fixture.path)
        let error = try await #require(throws: ConfigError.self) {
            try await copy("sqlite:\(fixture.path)", "sqlite:\(CopyFixture.temporaryPath())")
        }
        #expect(error.description == "a batchsender server is using the source \(fixture.path): stop it before copying")
        withExtendedLifetime(lock) {}
    }

    @Test func idsHandedOutBeforeStayUsed() async throws {
        let fixture = try await CopyFixture.make(recipients: 5)
        // The newest recipient is deleted: its id was handed out, so it must never come back.
        try await SQLiteStore(path: fixture.path).pool.write { db in
            try db.execute(sql: "DELETE FROM recipients WHERE id = (SELECT MAX(id) FROM recipients)")
        }
        let target = CopyFixture.temporaryPath()
        _ = try await copy("sqlite:\(fixture.path)", "sqlite:\(target)")
        let sequence = { (path: String) in
            try await SQLiteStore(path: path).pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'recipients'")
            }
        }
        #expect(try await sequence(target) == 5)
        #expect(try await sequence(fixture.path) == 5)
    }

    @Test func aKeyThatDoesNotOpenTheSourceIsRefused() async throws {
        let fixture = try await CopyFixture.make(recipients: 1)
        let wrong = Data(repeating: 9, count: 32).base64EncodedString()
        let error = try await #require(throws: ConfigError.self) {
            try await copy("sqlite:\(fixture.path)", "sqlite:\(CopyFixture.temporaryPath())", fromKey: wrong)
        }
        #expect(error.description == "the source's sealed credentials do not open with --from-master-key: pass the source's key with --from-master-key")
        let malformed = try await #require(throws: ConfigError.self) {
            try await copy("sqlite:\(fixture.path)", "sqlite:\(CopyFixture.temporaryPath())", toKey: "c2hvcnQ=")
        }
        #expect(malformed.description == "--to-master-key: the master key must be 32 bytes, got 5")
    }

    @Test func badLocationsAreOneLine() async throws {
        let missing = CopyFixture.temporaryPath("missing.db")
        let cases: [(String, String, String)] = [
            ("mysql://db", "sqlite:/tmp/x.db", "--from must be sqlite:PATH or postgres://user:pass@host:port/db"),
            ("sqlite:", "sqlite:/tmp/x.db", "--from sqlite: needs a file path"),
            ("sqlite:\(missing)", "sqlite:/tmp/x.db", "--from: no SQLite database at \(missing)"),
        ]
        for (from, to, message) in cases {
            let error = try await #require(throws: ConfigError.self) { try await copy(from, to) }
            #expect(error.description == message)
        }
        #expect(!FileManager.default.fileExists(atPath: missing), "a missing source is not created")
        let badPostgres = try await #require(throws: ConfigError.self) { try await copy("sqlite:/tmp/x.db", "postgres://u@h:99999/db") }
        #expect(badPostgres.description.hasPrefix("--to: "), "\(badPostgres)")
    }

    /// Every table of a freshly migrated SQLite database is either copied or deliberately not:
    /// a migration that adds a table fails here until the catalog says what to do with it.
    @Test func theCatalogCoversTheSQLiteSchema() async throws {
        let path = CopyFixture.temporaryPath()
        let store = try await BatchSender.openSQLite(path: path)
        let tables = try await store.copyWriter().tableColumns()
        for (name, columns) in tables where CopyCatalog.notCopied[name] == nil {
            let entry = try #require(CopyCatalog.entry(named: name), "table \(name) is not in CopyCatalog")
            #expect(Set(entry.table.columnNames) == columns, "\(name)")
        }
        #expect(Set(CopyCatalog.copied.map(\.table.name)).isSubset(of: Set(tables.keys)))
    }
}
