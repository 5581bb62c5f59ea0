import BatchSenderTestServers
import Foundation
import Testing

/// CONTRACT §9's wake-ups between processes: one `api` and one `worker` whose poll interval is a
/// minute, so whatever starts within the tests' 20 s waits was started by a `NOTIFY`.
@Suite(.serialized, .enabled(if: PostgresDatabase.isConfigured, PostgresDatabase.skipReason))
struct PostgresWakeupEndToEndTests {
    /// Far longer than any wait below: a poll cannot be what moved the work.
    static let workerEnvironment = ["BATCHSENDER_POLL_INTERVAL": "60"]
    let environment = [
        "BATCHSENDER_MASTER_KEY": PostgresDatabase.masterKey, "BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true",
        "BATCHSENDER_LOG_LEVEL": "error",
    ]

    @Test(.timeLimit(.minutes(3))) func workSentThroughTheAPIWakesTheWorker() async throws {
        try await withAPIAndWorker { api, key, _ in
            let configID = try await createConfig(api, key: key, ["module": "sms", "provider": "sandbox"])
            // The first batch may start on the worker's first look for work; the second finds the
            // worker idle, its next poll a minute away.
            for _ in 0..<2 {
                let batchID = try await sendBatch(api, key: key, configID: configID, [
                    "payload": ["from": "ACME", "message": "Code {{n}}"],
                    "recipients": (0..<20).map { ["to": "+1415555\(String(format: "%04d", $0))", "variables": ["n": "\($0)"]] },
                ])
                let done = try await api.waitForBatch(batchID, key: key, timeout: 20) { $0["status"] as? String == "completed" }
                #expect((done["counts"] as? [String: Int])?["sent"] == 20)
            }
        }
    }

    @Test(.timeLimit(.minutes(3))) func pauseResumeAndCancelThroughTheAPIReachTheWorker() async throws {
        try await withAPIAndWorker { api, key, receiver in
            let (_, batchID) = try await sendWebhookBatch(api, key: key, to: receiver)
            try await waitForRequests(receiver, atLeast: 3)

            #expect(try await api.request("POST", "/v1/batches/\(batchID)/pause", key: key).0 == 200)
            let paused = try await settledCount(receiver)
            try await Task.sleep(for: .seconds(3))
            #expect(receiver.requests.count == paused, "a request arrived while the batch was paused")

            // Only the resume's NOTIFY can restart the idle worker before its next poll.
            #expect(try await api.request("POST", "/v1/batches/\(batchID)/resume", key: key).0 == 200)
            try await waitForRequests(receiver, atLeast: paused + 3)

            #expect(try await api.request("POST", "/v1/batches/\(batchID)/cancel", key: key).0 == 200)
            let cancelled = try await settledCount(receiver)
            try await Task.sleep(for: .seconds(3))
            #expect(receiver.requests.count == cancelled, "a request arrived after the batch was cancelled")
            _ = try await api.waitForBatch(batchID, key: key, timeout: 20) { $0["status"] as? String == "cancelled" }
        }
    }

    @Test(.timeLimit(.minutes(3))) func aChangedSendConfigIsUsedByTheWorkerForTheNextDeliveries() async throws {
        try await withAPIAndWorker { api, key, receiver in
            let (configID, batchID) = try await sendWebhookBatch(api, key: key, to: receiver)
            try await waitForRequests(receiver, atLeast: 3)
            #expect(receiver.requests.allSatisfy { $0.headers["webhook-signature"] == nil })

            // Busy with the batch, the worker would keep its provider until the batch ends.
            let (patched, body) = try await api.request("PATCH", "/v1/send-configs/\(configID)", key: key, body: JSON.encode([
                "credentials": ["signingSecret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            ]))
            #expect(patched == 200, "\(body)")
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, !receiver.requests.contains(where: { $0.headers["webhook-signature"] != nil }) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let first = try #require(
                receiver.requests.firstIndex { $0.headers["webhook-signature"] != nil }, "no signed delivery within 20 s")
            try await waitForRequests(receiver, atLeast: first + 4)
            // The old provider's one call in flight (maxConcurrency 1) may land after the first
            // signed one; nothing later is unsigned.
            let later = receiver.requests.dropFirst(first + 2)
            #expect(later.allSatisfy { $0.headers["webhook-signature"]?.hasPrefix("v1,") == true })
            #expect(try await api.request("POST", "/v1/batches/\(batchID)/cancel", key: key).0 == 200)
        }
    }

    /// Runs `body` with an `api` process (and its admin key), a `worker` on a new database, and a
    /// webhook receiver.
    private func withAPIAndWorker(
        _ body: (ServerProcess, String, FakeReceiver) async throws -> Void
    ) async throws {
        let receiver = try await FakeReceiver.start()
        do {
            try await withProcesses { try await body($0, $1, receiver) }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    private func withProcesses(_ body: (ServerProcess, String) async throws -> Void) async throws {
        let url = try await PostgresDatabase.create()
        let api = try ServerProcess(databaseURL: url, arguments: ["--role", "api"], environment: environment)
        var worker: ServerProcess?
        do {
            let key = try api.adminKey()
            try await api.waitUntilHealthy()
            let started = try ServerProcess(
                databaseURL: url, arguments: ["--role", "worker"],
                environment: environment.merging(Self.workerEnvironment) { $1 })
            worker = started
            try await started.waitUntilHealthy()
            try await body(api, key)
        } catch {
            worker?.kill9()
            api.kill9()
            throw error
        }
        #expect(await worker?.terminate() == 0)
        #expect(await api.terminate() == 0)
    }

    private func createConfig(_ api: ServerProcess, key: String, _ config: [String: Any]) async throws -> String {
        let (created, body) = try await api.request("POST", "/v1/send-configs", key: key, body: JSON.encode(config))
        #expect(created == 201, "\(body)")
        return try #require(JSON.string(body, "id"), "\(body)")
    }

    private func sendBatch(_ api: ServerProcess, key: String, configID: String, _ batch: [String: Any]) async throws -> String {
        let (created, body) = try await api.request(
            "POST", "/v1/batches", key: key, body: JSON.encode(batch.merging(["sendConfigId": configID]) { $1 }))
        #expect(created == 201, "\(body)")
        let batchID = try #require(JSON.string(body, "id"), "\(body)")
        #expect(try await api.request("POST", "/v1/batches/\(batchID)/send", key: key).0 == 202)
        return batchID
    }

    /// A webhook batch of 200 to `receiver`, at 5 calls a second one at a time: it takes 40 s,
    /// longer than any test waits for it.
    private func sendWebhookBatch(
        _ api: ServerProcess, key: String, to receiver: FakeReceiver
    ) async throws -> (configID: String, batchID: String) {
        let configID = try await createConfig(api, key: key, [
            "module": "webhook", "provider": "http", "rateLimit": ["perSecond": 5, "burst": 1], "maxConcurrency": 1,
        ])
        return try await (configID, sendBatch(api, key: key, configID: configID, [
            "payload": ["url": "\(receiver.url)/hook", "body": ["row": "{{row}}"]],
            "recipients": (0..<200).map { ["to": "https://example.com/r/\($0)", "variables": ["row": "\($0)"]] },
        ]))
    }

    private func waitForRequests(_ receiver: FakeReceiver, atLeast count: Int) async throws {
        let deadline = Date().addingTimeInterval(20)
        while receiver.requests.count < count, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(receiver.requests.count >= count, "\(receiver.requests.count) requests within 20 s, expected \(count)")
    }

    /// The request count once no request arrived for 3 s (calls in flight at a pause finish; at
    /// 5 calls a second a running batch is never that quiet).
    private func settledCount(_ receiver: FakeReceiver) async throws -> Int {
        var count = receiver.requests.count
        var quietSince = Date()
        let deadline = Date().addingTimeInterval(20)
        while Date().timeIntervalSince(quietSince) < 3, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            if receiver.requests.count != count {
                count = receiver.requests.count
                quietSince = Date()
            }
        }
        return count
    }
}
