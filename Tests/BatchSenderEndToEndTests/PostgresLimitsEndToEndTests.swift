import BatchSenderTestServers
import Foundation
import Testing

/// A send config's `rateLimit` and `maxConcurrency` hold for all processes together (CONTRACT
/// §9): one `api` and two `worker` processes on one PostgreSQL deliver a webhook batch to a local
/// receiver that records when each request came and how many were open at once.
@Suite(.serialized, .enabled(if: PostgresDatabase.isConfigured, PostgresDatabase.skipReason))
struct PostgresLimitsEndToEndTests {
    let environment = [
        "BATCHSENDER_MASTER_KEY": PostgresDatabase.masterKey, "BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true",
        "BATCHSENDER_LOG_LEVEL": "error",
    ]

    @Test(.timeLimit(.minutes(5))) func rateLimitHoldsAcrossTwoWorkers() async throws {
        // 5 calls/s, burst 1: the store grants 60 calls over at least 59 / 5 = 11.8 s; two workers
        // without shared limits send about 10 a second (6 s). The receiver sees the calls with
        // the jitter between grant and call (a cold connection, a busy machine: up to a second
        // or more when the whole suite runs), so the bounds below leave room for that jitter and
        // still fail at twice the rate.
        let (perSecond, burst, total) = (5, 1, 60)
        let receiver = try await FakeReceiver.start()
        try await withCluster(stopping: receiver) { api, key in
            try await deliver(
                through: api, key: key, receiver: receiver, total: total,
                rateLimit: ["perSecond": perSecond, "burst": burst], maxConcurrency: 8)
        }
        let requests = receiver.requests
        try expectEachRecipientOnce(requests, total: total)
        let times = requests.map(\.receivedAt).sorted()
        // Jitter only delays calls, so it can shorten the spread by at most one delay (≤ 2 s).
        let ideal = Double(total - burst) / Double(perSecond)
        let spread = try #require(times.last).timeIntervalSince(try #require(times.first))
        #expect(spread >= ideal - 2, "\(total) requests over \(spread) s; the limit needs \(ideal) s")
        // Any 4-second window holds the grants of at most 5 seconds (one second of jitter).
        let window: TimeInterval = 4
        var most = 0
        var end = 0
        for start in times.indices {
            while end < times.count, times[end].timeIntervalSince(times[start]) < window { end += 1 }
            most = max(most, end - start)
        }
        let bound = perSecond * Int(window + 1) + burst
        #expect(most <= bound, "\(most) requests in \(window) s across both workers (at most \(bound))")
    }

    @Test(.timeLimit(.minutes(5))) func maxConcurrencyHoldsAcrossTwoWorkers() async throws {
        let (maxConcurrency, total) = (3, 60)
        // A slow receiver: every request stays open for 200 ms, so each worker alone would fill
        // all of its slots.
        let receiver = try await FakeReceiver.start { _, _ in ScriptedResponse(delay: .milliseconds(200)) }
        try await withCluster(stopping: receiver) { api, key in
            try await deliver(
                through: api, key: key, receiver: receiver, total: total,
                rateLimit: ["perSecond": 1_000, "burst": 1_000], maxConcurrency: maxConcurrency)
        }
        try expectEachRecipientOnce(receiver.requests, total: total)
        #expect(receiver.mostOpenAtOnce <= maxConcurrency, "\(receiver.mostOpenAtOnce) requests open at once")
        #expect(receiver.mostOpenAtOnce >= 2, "calls did overlap")
    }

    /// Runs one `api` and two `worker` processes on a new database for `body`, then stops them
    /// and the receiver.
    private func withCluster(
        stopping receiver: FakeReceiver, _ body: (ServerProcess, String) async throws -> Void
    ) async throws {
        var workers: [ServerProcess] = []
        var api: ServerProcess?
        do {
            let url = try await PostgresDatabase.create()
            let started = try ServerProcess(databaseURL: url, arguments: ["--role", "api"], environment: environment)
            api = started
            let key = try started.adminKey()
            try await started.waitUntilHealthy()
            for _ in 0..<2 {
                let worker = try ServerProcess(databaseURL: url, arguments: ["--role", "worker"], environment: environment)
                workers.append(worker)
                try await worker.waitUntilHealthy()
            }
            try await body(started, key)
        } catch {
            for process in workers + (api.map { [$0] } ?? []) { process.kill9() }
            await receiver.stop()
            throw error
        }
        for worker in workers { #expect(await worker.terminate() == 0) }
        if let api { #expect(await api.terminate() == 0) }
        await receiver.stop()
    }

    /// Sends a webhook batch of `total` recipients to `receiver` and waits until it completes
    /// with every recipient delivered.
    private func deliver(
        through api: ServerProcess, key: String, receiver: FakeReceiver, total: Int, rateLimit: [String: Int],
        maxConcurrency: Int
    ) async throws {
        let (created, config) = try await api.request("POST", "/v1/send-configs", key: key, body: JSON.encode([
            "module": "webhook", "provider": "http", "rateLimit": rateLimit, "maxConcurrency": maxConcurrency,
        ]))
        #expect(created == 201, "\(config)")
        let recipients = (0..<total).map { ["to": "https://example.com/r/\($0)", "variables": ["row": "\($0)"]] }
        let (status, batch) = try await api.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": JSON.string(config, "id") ?? "",
            "payload": ["url": "\(receiver.url)/hook", "body": ["row": "{{row}}"]], "recipients": recipients,
        ]))
        #expect(status == 201, "\(batch)")
        let batchID = try #require(JSON.string(batch, "id"))
        #expect(try await api.request("POST", "/v1/batches/\(batchID)/send", key: key).0 == 202)
        let done = try await api.waitForBatch(batchID, key: key, timeout: 180) { $0["status"] as? String == "completed" }
        let counts = try #require(done["counts"] as? [String: Int])
        #expect(counts["delivered"] == total, "\(counts)")
        #expect(counts["total"] == total)
        #expect(counts["failed"] == 0)
    }

    /// The receiver saw every recipient exactly once.
    private func expectEachRecipientOnce(_ requests: [RecordedRequest], total: Int) throws {
        var hits: [Int: Int] = [:]
        for request in requests {
            let row = try #require((JSON.object(request.bodyText)["row"] as? String).flatMap(Int.init), "\(request.bodyText)")
            hits[row, default: 0] += 1
        }
        #expect(Set(hits.keys) == Set(0..<total), "every recipient reached the receiver")
        #expect(hits.values.allSatisfy { $0 == 1 }, "no recipient twice")
    }
}
