import Foundation
import Testing

/// The binary on PostgreSQL (CONTRACT §9): serve, roles, concurrent first starts, bad settings.
/// Each test has a database of its own.
@Suite(.serialized, .enabled(if: PostgresDatabase.isConfigured, PostgresDatabase.skipReason))
struct PostgresEndToEndTests {
    let environment = ["BATCHSENDER_MASTER_KEY": PostgresDatabase.masterKey]

    @Test func serveCompletesASandboxBatch() async throws {
        let url = try await PostgresDatabase.create()
        let server = try ServerProcess(databaseURL: url, environment: environment)
        let key = try server.adminKey()
        try await server.waitUntilHealthy()
        #expect(try await server.request("GET", "/ready").0 == 200)
        try await deliverSandboxBatch(through: server, key: key, recipients: 200)
        #expect(await server.terminate() == 0)
    }

    @Test func missingMasterKeyFailsWithOneLine() async throws {
        let url = try await PostgresDatabase.create()
        let (code, _, err) = try Binary.run(["serve", "--database-url", url, "--port", "1"], environment: ["BATCHSENDER_MASTER_KEY": ""])
        #expect(code != 0)
        #expect(err.contains("BATCHSENDER_MASTER_KEY"), "\(err)")
        #expect(err.split(separator: "\n").count == 1, "\(err)")
        let (unreachable, _, unreachableErr) = try Binary.run(
            ["migrate", "--database-url", "postgres://nobody@127.0.0.1:1/none?sslmode=disable"], environment: environment)
        #expect(unreachable != 0)
        #expect(unreachableErr.split(separator: "\n").count == 1, "\(unreachableErr)")
    }

    @Test func keysCreateWorksWhileServing() async throws {
        let url = try await PostgresDatabase.create()
        let (migrated, _, migrateErr) = try Binary.run(["migrate", "--database-url", url], environment: environment)
        #expect(migrated == 0, "\(migrateErr)")
        let server = try ServerProcess(databaseURL: url, environment: environment)
        _ = try server.adminKey()
        try await server.waitUntilHealthy()
        let (code, out, err) = try Binary.run(
            ["keys", "create", "--name", "ops", "--workspace", "acme"],
            environment: environment.merging(["BATCHSENDER_DATABASE_URL": url]) { $1 })
        #expect(code == 0, "\(err)")
        let key = out.trimmingCharacters(in: .newlines)
        #expect(key.hasPrefix("bsk_") && !key.contains("\n"), "\(out)")
        #expect(try await server.request("GET", "/v1/api-keys", key: key).0 == 200)
        #expect(await server.terminate() == 0)
    }

    @Test func concurrentFirstStartsPrintOneAdminKey() async throws {
        let url = try await PostgresDatabase.create()
        let first = try ServerProcess(databaseURL: url, environment: environment)
        let second = try ServerProcess(databaseURL: url, environment: environment)
        try await first.waitUntilHealthy()
        try await second.waitUntilHealthy()
        #expect(await first.terminate() == 0)
        #expect(await second.terminate() == 0)
        let lines = (first.readOutput() + second.readOutput()).split(separator: "\n")
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.allSatisfy { $0.hasPrefix("admin api key: ") }, "\(lines)")
    }

    @Test func apiAndWorkerProcessesShareTheWork() async throws {
        let url = try await PostgresDatabase.create()
        let api = try ServerProcess(databaseURL: url, arguments: ["--role", "api"], environment: environment)
        let key = try api.adminKey()
        try await api.waitUntilHealthy()
        let worker = try ServerProcess(databaseURL: url, arguments: ["--role", "worker"], environment: environment)
        try await worker.waitUntilHealthy()
        #expect(try await worker.request("GET", "/ready").0 == 200)
        #expect(try await worker.request("GET", "/metrics").0 == 200)
        #expect(try await worker.request("GET", "/v1/batches", key: key).0 == 404)
        // The api process never delivers: the batch completes only because the worker does.
        try await deliverSandboxBatch(through: api, key: key, recipients: 100)
        #expect(await worker.terminate() == 0)
        #expect(await api.terminate() == 0)
    }

    /// Creates and sends a sandbox SMS batch through `server`, then waits until it completes with
    /// every recipient sent.
    func deliverSandboxBatch(through server: ServerProcess, key: String, recipients count: Int) async throws {
        let (_, config) = try await server.request(
            "POST", "/v1/send-configs", key: key, body: #"{"module":"sms","provider":"sandbox"}"#)
        let configID = try #require(JSON.string(config, "id"), "\(config)")
        let recipients = (0..<count).map { ["to": "+1415555\(String(format: "%04d", $0))", "variables": ["n": "\($0)"]] }
        let (created, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": configID, "payload": ["from": "ACME", "message": "Code {{n}}"], "recipients": recipients,
        ]))
        #expect(created == 201, "\(batch)")
        let batchID = try #require(JSON.string(batch, "id"))
        #expect(try await server.request("POST", "/v1/batches/\(batchID)/send", key: key).0 == 202)
        let done = try await server.waitForBatch(batchID, key: key) { $0["status"] as? String == "completed" }
        let counts = try #require(done["counts"] as? [String: Int])
        #expect(counts["sent"] == count)
        #expect(counts["total"] == count)
        #expect(counts["failed"] == 0)
    }
}
