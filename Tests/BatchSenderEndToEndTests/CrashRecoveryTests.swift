import BatchSenderTestServers
import Foundation
import Testing

/// The delivery promise of CONTRACT §5 under `kill -9`: after crashes at arbitrary moments and
/// restarts, every recipient reaches exactly one terminal status, the counts add up, and only
/// recipients in flight at a kill reach the endpoint twice — with the same `webhook-id`.
@Suite(.serialized) struct CrashRecoveryTests {
    /// A fresh database path per test (Swift Testing makes a new suite value for each test).
    let database = Binary.temporaryDatabase()
    let environment = ["BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true", "BATCHSENDER_LOG_LEVEL": "error"]
    static let total = 3_000
    static let maxConcurrency = 16


    @Test(.timeLimit(.minutes(10))) func killedThreeTimesMidBatchLosesNothing() async throws {
        let receiver = try await FakeReceiver.start()
        var server = try ServerProcess(databasePath: database, environment: environment)
        do {
            let key = try server.adminKey()
            try await server.waitUntilHealthy()
            let batchID = try await createWebhookBatch(server, key: key, receiver: receiver)

            for threshold in [Self.total / 5, Self.total / 2, Self.total * 4 / 5] {
                try await waitForRequests(receiver, atLeast: threshold)
                server.kill9()
                server = try ServerProcess(databasePath: database, environment: environment)
                try await server.waitUntilHealthy()
            }
            let done = try await server.waitForBatch(batchID, key: key, timeout: 180) { $0["status"] as? String == "completed" }
            let counts = try #require(done["counts"] as? [String: Int])
            #expect(counts["delivered"] == Self.total)
            #expect(counts["total"] == Self.total)
            try await expectOneTerminalStatusEach(server, key: key, batchID: batchID, counts: counts)
            #expect(await server.terminate() == 0)
        } catch {
            server.kill9()
            await receiver.stop()
            throw error
        }
        await receiver.stop()

        // What the endpoint saw: every recipient, duplicates only from in-flight work.
        var ids: [Int: Set<String>] = [:]
        var hits: [Int: Int] = [:]
        for request in receiver.requests {
            let body = JSON.object(request.bodyText)
            guard let row = (body["row"] as? String).flatMap(Int.init) else {
                Issue.record("unexpected body \(request.bodyText)")
                continue
            }
            ids[row, default: []].insert(request.headers["webhook-id"] ?? "")
            hits[row, default: 0] += 1
            #expect(request.headers["webhook-signature"]?.hasPrefix("v1,") == true)
        }
        #expect(Set(hits.keys) == Set(0..<Self.total), "every recipient reached the endpoint")
        #expect(ids.values.allSatisfy { $0.count == 1 }, "a recipient's webhook-id never changes")
        let twice = hits.values.filter { $0 > 1 }.count
        // In flight at a kill: calls running (maxConcurrency) plus outcomes not yet committed.
        #expect(twice <= 3 * 2 * Self.maxConcurrency, "\(twice) recipients were delivered twice")
    }

    private func createWebhookBatch(_ server: ServerProcess, key: String, receiver: FakeReceiver) async throws -> String {
        let (created, config) = try await server.request("POST", "/v1/send-configs", key: key, body: JSON.encode([
            "module": "webhook", "provider": "http",
            "credentials": ["signingSecret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            "rateLimit": ["perSecond": 400, "burst": 40], "maxConcurrency": Self.maxConcurrency,
        ]))
        #expect(created == 201, "\(config)")
        let recipients = (0..<Self.total).map { ["to": "https://example.com/r/\($0)", "variables": ["row": "\($0)"]] }
        let (status, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": JSON.string(config, "id") ?? "",
            "payload": ["url": "\(receiver.url)/hook", "body": ["row": "{{row}}", "to": "{{to}}"]],
            "recipients": recipients,
        ]))
        #expect(status == 201, "\(batch)")
        let batchID = try #require(JSON.string(batch, "id"))
        let (sent, _) = try await server.request("POST", "/v1/batches/\(batchID)/send", key: key)
        #expect(sent == 202)
        return batchID
    }

    /// Every recipient row is listed once, in a terminal status, and each status's count is the
    /// number of rows in it (the counts are maintained separately from the rows).
    private func expectOneTerminalStatusEach(
        _ server: ServerProcess, key: String, batchID: String, counts: [String: Int]
    ) async throws {
        let rows = try await server.allRecipients(batchID: batchID, key: key, total: Self.total)
        let ids = rows.compactMap { $0["id"] as? String }
        #expect(ids.count == Self.total, "every recipient listed")
        #expect(Set(ids).count == ids.count, "no recipient listed twice")
        let statuses = rows.compactMap { $0["status"] as? String }
        #expect(statuses.count == rows.count, "every row has a status")
        let terminal: Set<String> = ["sent", "delivered", "failed", "bounced", "complained", "suppressed", "cancelled"]
        #expect(statuses.allSatisfy(terminal.contains), "open: \(Set(statuses).subtracting(terminal))")
        var perStatus: [String: Int] = [:]
        for status in statuses { perStatus[status, default: 0] += 1 }
        for (status, count) in counts where status != "total" {
            #expect(count == perStatus[status, default: 0], "\(status): counted \(count), rows \(perStatus[status, default: 0])")
        }
        #expect(Set(perStatus.keys).isSubset(of: Set(counts.keys)), "a row status without a count")
    }

    private func waitForRequests(_ receiver: FakeReceiver, atLeast count: Int) async throws {
        for _ in 0..<6_000 where receiver.requests.count < count { try await Task.sleep(for: .milliseconds(10)) }
        #expect(receiver.requests.count >= count)
    }
}
