import BatchSenderCore
import BatchSenderStore
import BatchSenderWorker
import Foundation
import Logging
import Testing

@Suite struct MaintenanceTests {
    let logger = Logger(label: "test")

    @Test func expiredLeasesAreRescuedAndRedelivered() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 4)
        // A worker that claimed and then died: its leases expire.
        let claimed = try await h.store.claim(
            sendConfig: batch.sendConfigID, limit: 4, now: Date(), leaseDuration: 0.01)
        #expect(claimed.count == 4)
        try await Task.sleep(for: .milliseconds(20))
        let maintenance = Maintenance(queue: h.store, notifier: SilentNotifier(), logger: logger)
        try await maintenance.tick(round: 1)
        let rescued = try #require(try await h.store.batchForDelivery(batch.id))
        #expect(rescued.counts.queued == 4)
        #expect(rescued.counts.sending == 0)
        // A slow call's real outcome still applies while nobody has claimed the recipient again…
        let late = try await h.store.complete(
            [DeliveryCompletion(recipientID: claimed[0].recipientID, batchID: batch.id, leaseToken: claimed[0].leaseToken,
                                resolution: .sent(providerMessageID: "late"))], now: Date())
        #expect(late.lost.isEmpty)
        #expect(late.late == 1)
        #expect(try await h.store.batchForDelivery(batch.id)?.counts.queued == 3)
        let provider = ScriptedProvider()
        try await h.run(provider) { _ in
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.sent == 4)
        }
        let rows = try await h.recipients(batch)
        #expect(rows.first { $0.id == claimed[0].recipientID }?.providerMessageID == "late")
        #expect(rows.filter { $0.id != claimed[0].recipientID }.allSatisfy { $0.attempts == 2 })
        // …but once claimed again, the old claim's outcome is lost.
        let stale = try await h.store.complete(
            [DeliveryCompletion(recipientID: claimed[1].recipientID, batchID: batch.id, leaseToken: claimed[1].leaseToken,
                                resolution: .failed(error: "stale"))], now: Date())
        #expect(stale.lost == [claimed[1].recipientID])
    }

    @Test func scheduledBatchesStartWhenDue() async throws {
        let h = EngineHarness()
        let workspace = try await h.store.ensureWorkspace(h.fixtures.workspace())
        let config = h.fixtures.sendConfig(in: workspace.id)
        try await h.store.insertSendConfig(config)
        let soon = Date().addingTimeInterval(60)
        let batch = h.fixtures.batch(for: config, scheduledAt: soon, createdAt: Date())
        _ = try await h.store.createBatch(batch, recipients: h.fixtures.recipients(["a@example.com"]))
        _ = try await h.store.apply(.send, to: batch.id, in: workspace.id, at: Date())
        let early = Maintenance(queue: h.store, notifier: SilentNotifier(), now: { Date() }, logger: logger)
        try await early.tick(round: 1)
        #expect(try await h.store.batchForDelivery(batch.id)?.status == .scheduled)
        let late = Maintenance(queue: h.store, notifier: SilentNotifier(), now: { soon.addingTimeInterval(1) }, logger: logger)
        try await late.tick(round: 1)
        let started = try #require(try await h.store.batchForDelivery(batch.id))
        #expect(started.status == .queued)
        #expect(started.counts.queued == 1)
    }

    @Test func onlyOneLeaderAtATime() async throws {
        let store = InMemoryStore()
        let now = Date()
        #expect(try await store.acquireLeadership("maintenance", holder: "a", now: now, ttl: 10))
        #expect(!(try await store.acquireLeadership("maintenance", holder: "b", now: now, ttl: 10)))
        #expect(try await store.acquireLeadership("maintenance", holder: "a", now: now, ttl: 10), "renewal")
        #expect(try await store.acquireLeadership("maintenance", holder: "b", now: now.addingTimeInterval(11), ttl: 10))
    }
}

@Suite struct OutcomeResolverTests {
    let resolver = OutcomeResolver(policy: RetryPolicy(base: 2, cap: 60, maxRetryAfter: 3600))
    let now = Date(timeIntervalSince1970: 0)

    @Test func backoffScheduleDoublesToTheCap() {
        let delays = (1...7).map { attempt -> TimeInterval in
            guard case .retry(let at, _) = resolver.resolve(
                .retry(reason: "x", after: nil), attempt: attempt, maxAttempts: 10, now: now, unit: 0.999_999)
            else { return -1 }
            return at.timeIntervalSince(now).rounded()
        }
        #expect(delays == [2, 4, 8, 16, 32, 60, 60])
    }

    @Test func lastAttemptFails() {
        #expect(resolver.resolve(.retry(reason: "HTTP 500", after: nil), attempt: 5, maxAttempts: 5, now: now, unit: 0)
            == .failed(error: "HTTP 500 (gave up after 5 attempts)"))
    }

    @Test func acceptedAndDeferred() {
        #expect(resolver.resolve(.accepted(providerMessageID: "m", delivered: false), attempt: 1, maxAttempts: 1, now: now, unit: 0)
            == .sent(providerMessageID: "m"))
        #expect(resolver.resolve(.deferred(until: now, reason: "open"), attempt: 9, maxAttempts: 1, now: now, unit: 0)
            == .released(at: now))
    }
}
