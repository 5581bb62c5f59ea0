import BatchSenderTestServers
import Foundation
import Testing

/// `batchsender copy-data` as a user moves: serve on SQLite, copy to PostgreSQL under a different
/// master key, serve there with the same answers, and copy back (CONTRACT §9).
@Suite(.serialized, .enabled(if: PostgresDatabase.isConfigured, PostgresDatabase.skipReason))
struct CopyDataEndToEndTests {
    /// No BATCHSENDER_MASTER_KEY: a SQLite server uses the key file beside its database.
    let sqliteEnvironment = ["BATCHSENDER_MASTER_KEY": "", "BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true"]
    let postgresKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    @Test func sqliteToPostgresAndBackKeepsEveryAnswer() async throws {
        let receiver = try await FakeReceiver.start()
        let scenario = CopyDataScenario(receiver: receiver)
        let hook = { (n: Int) in "\(receiver.url)/hook/\(n)" }

        // 1. A SQLite server: keys, a send config with credentials, a delivered batch, events, suppressions.
        let sqlitePath = Binary.temporaryDatabase()
        let (sqlite, admin) = try await ServerProcess.started(databasePath: sqlitePath, environment: sqliteEnvironment)
        let opsBody = #"{"name":"ops","scopes":["send","read"]}"#
        let (opsStatus, opsReply) = try await sqlite.request(
            "POST", "/v1/api-keys", key: admin, body: opsBody, headers: ["Idempotency-Key": "move-1"])
        #expect(opsStatus == 201, "\(opsReply)")
        let (userStatus, userReply) = try await sqlite.request(
            "POST", "/v1/users", key: admin, body: #"{"email":"Ops@Example.com","role":"member","password":"move-Pa55word"}"#)
        #expect(userStatus == 201, "\(userReply)")
        let opsKey = try #require(JSON.string(opsReply, "key"))
        let (_, configReply) = try await sqlite.request("POST", "/v1/send-configs", key: admin, body: JSON.encode([
            "name": "hooks", "module": "webhook", "provider": "http", "credentials": ["signingSecret": CopyDataScenario.secret],
        ]))
        let config = try #require(JSON.string(configReply, "id"), "\(configReply)")
        let batch = try await scenario.deliver((0..<3).map(hook), through: sqlite, key: admin, config: config)
        let messageIDs = try await providerMessageIDs(sqlite, admin, batch)
        #expect(try await scenario.report("bounced", messageID: messageIDs[hook(0)] ?? "", id: "evt_1", hard: true,
            to: sqlite, config: config).0 == 200)
        #expect(try await scenario.report("complained", messageID: messageIDs[hook(1)] ?? "", id: "evt_2",
            to: sqlite, config: config).0 == 200)
        #expect(try await sqlite.request("POST", "/v1/suppressions", key: admin,
            body: #"{"address":"gone@example.com","reason":"manual"}"#).0 == 201)
        let onSQLite = try await CopyDataScenario.answers(of: sqlite, key: admin, batch: batch, config: config)
        #expect(await sqlite.terminate() == 0)

        // 2. Copy to an empty PostgreSQL database whose master key differs.
        let postgresURL = try await PostgresDatabase.create()
        let toPostgres = try await CopyDataScenario.copy(
            ["--from", "sqlite:\(sqlitePath)", "--to", postgresURL], environment: ["BATCHSENDER_MASTER_KEY": postgresKey])
        #expect(toPostgres.0 == 0, "\(toPostgres.2)")
        #expect(toPostgres.1.split(separator: "\n") == [
            "workspaces: 1 copied", "api_keys: 2 copied", "users: 1 copied", "send_configs: 1 copied", "batches: 1 copied", "recipients: 3 copied",
            "suppressions: 3 copied", "idempotency_keys: 1 copied", "provider_events: 2 copied", "sandbox_messages: 0 copied",
        ])

        // 3. The same answers from a server on PostgreSQL.
        let postgresEnvironment = ["BATCHSENDER_MASTER_KEY": postgresKey, "BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true"]
        let postgres = try ServerProcess(databaseURL: postgresURL, environment: postgresEnvironment)
        try await postgres.waitUntilHealthy()
        let onPostgres = try await CopyDataScenario.answers(of: postgres, key: admin, batch: batch, config: config)
        #expect(CopyDataScenario.same(onSQLite, onPostgres) == nil)
        #expect(try await postgres.request("GET", "/v1/batches", key: opsKey).0 == 200, "the copied key authenticates")
        #expect(try await postgres.request("POST", "/v1/api-keys", key: opsKey, body: #"{"name":"x"}"#).0 == 403, "with its scopes")
        let (_, users) = try await postgres.request("GET", "/v1/users", key: admin)
        #expect(users.contains(#""email":"Ops@Example.com""#) && users.contains(#""role":"member""#), "\(users)")
        let (replayStatus, replay) = try await postgres.request(
            "POST", "/v1/api-keys", key: admin, body: opsBody, headers: ["Idempotency-Key": "move-1"])
        #expect(replayStatus == 201)
        #expect(replay == opsReply, "the stored response was re-sealed under the new key")
        // Events about messages sent before the move still find them.
        let (eventStatus, eventReport) = try await scenario.report(
            "failed", messageID: messageIDs[hook(2)] ?? "", id: "evt_3", to: postgres, config: config)
        #expect(eventStatus == 200)
        #expect(JSON.object(eventReport)["applied"] as? Int == 1, "\(eventReport)")
        let (_, afterEvent) = try await postgres.request("GET", "/v1/batches/\(batch)", key: admin)
        #expect((JSON.object(afterEvent)["counts"] as? [String: Int])?["failed"] == 1, "\(afterEvent)")
        // The send config's credentials open under the new key: new deliveries are signed.
        let second = try await scenario.deliver([hook(3), hook(4)], through: postgres, key: admin, config: config)
        try scenario.expectSigned([hook(3), hook(4)])
        let oldRows = try await recipientIDs(postgres, admin, batch)
        let newRows = try await recipientIDs(postgres, admin, second)
        #expect(Set(oldRows).isDisjoint(with: newRows))
        #expect(newRows.min() ?? 0 > oldRows.max() ?? 0, "new ids continue after the copied ones")
        let onPostgresLater = try await CopyDataScenario.answers(of: postgres, key: admin, batch: batch, config: config)
        #expect(await postgres.terminate() == 0)

        // 4. And back to a new SQLite file, served without BATCHSENDER_MASTER_KEY: copy-data wrote
        // the key it copied under into the file's key file.
        let backPath = Binary.temporaryDatabase()
        let back = try await CopyDataScenario.copy(
            ["--from", postgresURL, "--to", "sqlite:\(backPath)"], environment: ["BATCHSENDER_MASTER_KEY": postgresKey])
        #expect(back.0 == 0, "\(back.2)")
        #expect(back.1.contains("batches: 2 copied\nrecipients: 5 copied\n"), "\(back.1)")
        let sqliteAgain = try ServerProcess(databasePath: backPath, environment: sqliteEnvironment)
        try await sqliteAgain.waitUntilHealthy()
        let onSQLiteAgain = try await CopyDataScenario.answers(of: sqliteAgain, key: admin, batch: batch, config: config)
        #expect(try await sqliteAgain.request("GET", "/v1/users", key: admin).1 == users, "users copied back")
        #expect(CopyDataScenario.same(onPostgresLater, onSQLiteAgain) == nil)
        _ = try await scenario.deliver([hook(5)], through: sqliteAgain, key: opsKey, config: config)
        try scenario.expectSigned([hook(5)])
        #expect(await sqliteAgain.terminate() == 0)
        await receiver.stop()
    }

    @Test func aNonEmptyTargetIsRefusedUnlessForced() async throws {
        let sqlitePath = Binary.temporaryDatabase()
        let (made, _, madeError) = try Binary.run(
            ["keys", "create", "--name", "ops", "--database-url", "sqlite:\(sqlitePath)"], environment: sqliteEnvironment)
        #expect(made == 0, "\(madeError)")
        let url = try await PostgresDatabase.create()
        let environment = ["BATCHSENDER_MASTER_KEY": postgresKey]
        let arguments = ["--from", "sqlite:\(sqlitePath)", "--to", url]
        let first = try await CopyDataScenario.copy(arguments, environment: environment)
        #expect(first.0 == 0, "\(first.2)")
        let again = try await CopyDataScenario.copy(arguments, environment: environment)
        #expect(again.0 == 1)
        #expect(again.2.split(separator: "\n").count == 1, "\(again.2)")
        #expect(again.2.contains("the target is not empty (workspaces: 1, api_keys: 1); pass --force"), "\(again.2)")
        let forced = try await CopyDataScenario.copy(arguments + ["--force"], environment: environment)
        #expect(forced.0 == 0, "\(forced.2)")
        #expect(forced.1.hasPrefix("workspaces: 1 copied\napi_keys: 1 copied\n"), "\(forced.1)")

        let itself = try await CopyDataScenario.copy(["--from", url, "--to", url], environment: environment)
        #expect(itself.0 == 1)
        #expect(itself.2.contains("--from and --to are the same database"), "\(itself.2)")

        // A server on the target: refused, even with --force.
        let server = try ServerProcess(databaseURL: url, environment: environment)
        try await server.waitUntilHealthy()
        let busy = try Binary.run(["copy-data"] + arguments + ["--force"], environment: environment)
        #expect(busy.0 == 1)
        #expect(busy.2.contains("is in use by") && busy.2.split(separator: "\n").count == 1, "\(busy.2)")
        #expect(await server.terminate() == 0)
    }

    func providerMessageIDs(_ server: ServerProcess, _ key: String, _ batch: String) async throws -> [String: String] {
        let (_, list) = try await server.request("GET", "/v1/batches/\(batch)/recipients", key: key)
        let rows = JSON.object(list)["data"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["to"] as? String ?? "", $0["providerMessageId"] as? String ?? "") })
    }

    func recipientIDs(_ server: ServerProcess, _ key: String, _ batch: String) async throws -> [Int] {
        let (_, list) = try await server.request("GET", "/v1/batches/\(batch)/recipients", key: key)
        return (JSON.object(list)["data"] as? [[String: Any]] ?? []).compactMap {
            ($0["id"] as? String)?.split(separator: "_").last.flatMap { Int($0) }
        }
    }
}
