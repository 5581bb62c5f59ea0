import BatchSenderPostgres
import BatchSenderTestServers
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import PostgresNIO
import Testing

/// CONTRACT §9 on a real PostgreSQL: the database cut off mid-batch (through a proxy, so the
/// shared test cluster keeps running), and a worker killed with `kill -9` mid-batch. Either way
/// every recipient reaches exactly one terminal status with exact counts, and only recipients in
/// flight at the cut or the kill may reach the receiver twice.
@Suite(.serialized, .enabled(if: PostgresDatabase.isConfigured, PostgresDatabase.skipReason))
struct PostgresOutageTests {
    let environment = [
        "BATCHSENDER_MASTER_KEY": PostgresDatabase.masterKey, "BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true",
        "BATCHSENDER_LOG_LEVEL": "error",
    ]

    @Test(.timeLimit(.minutes(6))) func aDatabaseCutMidBatchLosesNothingAndFinishesNothingTwice() async throws {
        let total = 300
        let url = try await PostgresDatabase.create()
        let proxy = try TCPProxy(forwardingTo: try PostgresConfiguration(url: url).port)
        defer { proxy.stop() }
        let receiver = try await FakeReceiver.start()
        let server = try ServerProcess(databaseURL: try Self.url(url, throughPort: proxy.port), environment: environment)
        var inFlight: Set<Int> = []
        do {
            let key = try server.adminKey()
            try await server.waitUntilHealthy()
            // 50 calls a second: six seconds of work, cut a third of the way in.
            let batchID = try await Self.sendWebhookBatch(server, key: key, receiver: receiver, total: total, perSecond: 50)
            try await Self.waitForRequests(receiver, atLeast: total / 3)

            proxy.cut()
            // Claimed and not recorded at the cut: the only recipients that may be sent twice.
            inFlight = try await Self.rowsInFlight(url)
            let cutAt = ContinuousClock.now
            #expect(try await Self.waitForStatus(server, "/ready", 503), "/ready answers 503 while the database is away")
            #expect(try await server.request("GET", "/health").0 == 200, "the process keeps running")
            let (status, contentType, body) = try await Self.get(server, "/v1/batches/\(batchID)", key: key)
            #expect(status == 503, "\(body)")
            #expect(contentType == "application/problem+json")
            #expect(JSON.object(body)["detail"] != nil)
            let rest = Duration.seconds(5) - (ContinuousClock.now - cutAt)
            if rest > .zero { try await Task.sleep(for: rest) }
            proxy.restore()

            #expect(try await Self.waitForStatus(server, "/ready", 200), "/ready recovers by itself")
            let done: [String: Any]
            do {
                done = try await server.waitForBatch(batchID, key: key, timeout: 180) { $0["status"] as? String == "completed" }
            } catch {
                // What the database was doing, to tell a stuck server from a stuck process.
                print("database sessions at the failure:\n" + ((try? await Self.activity(url)) ?? "unknown"))
                throw error
            }
            let counts = try #require(done["counts"] as? [String: Int])
            #expect(counts["delivered"] == total)
            #expect(counts["total"] == total)
            try await Self.expectEveryRecipientDeliveredOnce(server, key: key, batchID: batchID, total: total)
            #expect(await server.terminate() == 0)
        } catch {
            server.kill9()
            await receiver.stop()
            throw error
        }
        await receiver.stop()
        try Self.expectDuplicatesOnlyAmong(inFlight, receiver: receiver, total: total)
    }

    @Test(.timeLimit(.minutes(6))) func aWorkerKilledMidBatchLosesNothing() async throws {
        let total = 400
        let url = try await PostgresDatabase.create()
        let receiver = try await FakeReceiver.start()
        let api = try ServerProcess(databaseURL: url, arguments: ["--role", "api"], environment: environment)
        var workers: [ServerProcess] = []
        do {
            let key = try api.adminKey()
            try await api.waitUntilHealthy()
            for _ in 0..<2 {
                let worker = try ServerProcess(databaseURL: url, arguments: ["--role", "worker"], environment: environment)
                workers.append(worker)
                try await worker.waitUntilHealthy()
            }
            // 20 calls a second per worker: ten seconds of work for both, killed a quarter in.
            let batchID = try await Self.sendWebhookBatch(api, key: key, receiver: receiver, total: total, perSecond: 20)
            try await Self.waitForRequests(receiver, atLeast: total / 4)
            workers[0].kill9()
            // The killed worker's claims stay `sending` until their leases expire (30 s): all
            // of them are in this snapshot, with whatever the other worker has in flight.
            let inFlight = try await Self.rowsInFlight(url)

            let done = try await api.waitForBatch(batchID, key: key, timeout: 240) { $0["status"] as? String == "completed" }
            let counts = try #require(done["counts"] as? [String: Int])
            #expect(counts["delivered"] == total)
            #expect(counts["total"] == total)
            try await Self.expectEveryRecipientDeliveredOnce(api, key: key, batchID: batchID, total: total)
            #expect(await workers[1].terminate() == 0)
            #expect(await api.terminate() == 0)
            await receiver.stop()
            try Self.expectDuplicatesOnlyAmong(inFlight, receiver: receiver, total: total)
        } catch {
            for worker in workers { worker.kill9() }
            api.kill9()
            await receiver.stop()
            throw error
        }
    }
}
