import BatchSenderCore
import BatchSenderStore
import BatchSenderTesting
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

    /// Two processes' maintenance against one store: while one holds the lease the other does
    /// nothing, and once the first stops renewing, the second takes over when the lease expires.
    @Test func twoInstancesOneDoesTheWorkAndTheOtherTakesOverAfterTheLeaseExpires() async throws {
        let h = EngineHarness()
        let f = h.fixtures
        let seed = try await f.seed(h.store)
        func scheduled(dueAt seconds: Double) async throws -> Batch.ID {
            let draft = try await f.draft(h.store, seed, ["a@example.com"], scheduledAt: f.time(seconds))
            return try await h.store.apply(.send, to: draft.id, in: seed.workspace.id, at: f.time(0)).id
        }
        func status(_ id: Batch.ID) async throws -> BatchStatus? { try await h.store.batchForDelivery(id)?.status }
        let clock = ManualClock(f.time(0))
        let (notifierA, notifierB) = (CountingNotifier(), CountingNotifier())
        // The default 1 s interval: a lease of 5 s.
        let a = Maintenance(queue: h.store, notifier: notifierA, now: { clock.now }, logger: logger, holder: "a")
        let b = Maintenance(queue: h.store, notifier: notifierB, now: { clock.now }, logger: logger, holder: "b")
        let first = try await scheduled(dueAt: 1)
        let second = try await scheduled(dueAt: 2)
        let third = try await scheduled(dueAt: 5)

        clock.set(f.time(1))
        try await a.tick(round: 1)
        try await b.tick(round: 1)
        #expect(try await status(first) == .queued)
        #expect((notifierA.workAvailableCalls, notifierB.workAvailableCalls) == (1, 0), "a leads")

        // a's last renewal is at 3; it then stops (a crashed process) and its lease runs to 8.
        clock.set(f.time(3))
        try await a.tick(round: 2)
        #expect(try await status(second) == .queued)
        clock.set(f.time(7))
        try await b.tick(round: 2)
        #expect(try await status(third) == .scheduled, "due, but b waits while a's lease lasts")
        #expect((notifierA.workAvailableCalls, notifierB.workAvailableCalls) == (2, 0))

        clock.set(f.time(9))
        try await b.tick(round: 3)
        #expect(try await status(third) == .queued, "b took over once a's lease expired")
        #expect(notifierB.workAvailableCalls == 1)

        // a comes back: b holds the lease now, so a does nothing.
        let fourth = try await scheduled(dueAt: 10)
        clock.set(f.time(10))
        try await a.tick(round: 3)
        #expect(try await status(fourth) == .scheduled)
        #expect(notifierA.workAvailableCalls == 2)
        try await b.tick(round: 4)
        #expect(try await status(fourth) == .queued)
    }

    /// `Idempotency-Key` records are remembered 24 hours (CONTRACT §2): the leader's hourly round
    /// deletes older ones.
    @Test func theLeaderPurgesIdempotencyKeysOlderThanADay() async throws {
        let store = InMemoryStore()
        let f = Fixtures()
        let workspace = try await f.seed(store).workspace.id
        let week: TimeInterval = 7 * 86_400
        let response = IdempotentResponse(status: 201, contentType: "application/json", body: Data("{}".utf8))
        for (key, hours) in [("old", 25.0), ("young", 23.0)] {
            _ = try await store.claimIdempotencyKey(key, in: workspace, requestHash: "h", at: f.time(-hours * 3600), expiry: week)
            // Finished: an unfinished claim this old would count as abandoned, not stored.
            try await store.completeIdempotencyKey(key, in: workspace, response: response)
        }
        // A record still stored answers another request with `.mismatch`; a purged one is claimed afresh.
        func stored(_ key: String) async throws -> Bool {
            try await store.claimIdempotencyKey(key, in: workspace, requestHash: "probe", at: f.time(0), expiry: week) == .mismatch
        }
        let maintenance = Maintenance(
            queue: store, notifier: SilentNotifier(), now: { f.time(0) }, logger: logger, idempotency: store)
        try await maintenance.tick(round: 1)
        #expect(try await stored("old"), "not an hourly round")
        try await maintenance.tick(round: 0)
        #expect(!(try await stored("old")))
        #expect(try await stored("young"))
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
