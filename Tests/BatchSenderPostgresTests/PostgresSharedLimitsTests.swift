import BatchSenderCore
import BatchSenderPostgres
import BatchSenderStore
import BatchSenderTesting
import Foundation
import Synchronization
import Testing

/// A send config's rate limit, `maxConcurrency` and provider pause hold for every claimer of the
/// database together (CONTRACT §9): many concurrent claimers stand in for many processes.
@Suite("PostgreSQL shared limits", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct PostgresSharedLimitsTests {
    static let claimers = 6

    /// A seeded store with one sent batch of `recipients` through the seed's config.
    func sentBatch(_ store: PostgresStore, _ f: Fixtures, recipients: Int) async throws -> (Seed, Batch) {
        let seed = try await f.seed(store)
        let draft = try await f.draft(store, seed, (0..<recipients).map { "r\($0)@example.com" })
        return (seed, try await store.apply(.send, to: draft.id, in: seed.workspace.id, at: f.time(10)))
    }

    func request(
        _ seed: Seed, _ limits: DeliveryLimits, calls: Int, unused: Int = 0, version: Date? = nil, _ f: Fixtures
    ) -> LimitedClaimRequest {
        LimitedClaimRequest(
            sendConfig: seed.sendConfig.id, configVersion: version ?? seed.sendConfig.updatedAt, limits: limits,
            calls: calls, unusedCalls: unused, now: f.time(11), leaseDuration: 30)
    }

    @Test("concurrent claimers never get more than burst + rate × elapsed calls, in any window of store time")
    func rateHoldsAcrossClaimers() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let (seed, _) = try await sentBatch(store, f, recipients: 400)
            let limits = DeliveryLimits(perSecond: 40, burst: 4, maxConcurrency: 10_000, callSize: 1)
            let grants = Shared<[(at: Date, calls: Int, recipients: Int)]>([])
            let first = Shared<Date?>(nil)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<Self.claimers {
                    group.addTask {
                        // About two seconds of store time each, asking for three calls at a time.
                        while true {
                            let result = try await store.claim(request(seed, limits, calls: 3, f))
                            let start = first.withLock { first in
                                if first == nil { first = result.at }
                                return first ?? result.at
                            }
                            if result.at.timeIntervalSince(start) > 2 { return }
                            if result.calls > 0 {
                                grants.withLock { $0.append((result.at, result.calls, result.claimed.count)) }
                            } else {
                                #expect(result.refusal == .rate, "\(String(describing: result.refusal))")
                                try await Task.sleep(for: .milliseconds(Int((result.retryAfter ?? 0.01) * 1000) + 1))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let sorted = grants.withLock { $0 }.sorted { $0.at < $1.at }
            #expect(sorted.allSatisfy { $0.calls == $0.recipients }, "one call per recipient at call size 1")
            #expect(sorted.map(\.calls).reduce(0, +) > limits.burst, "the claimers did get past the burst")
            // Every window [grant i, grant j] of the store's clock: at most burst + rate × its length.
            for i in sorted.indices {
                var calls = 0
                for j in i..<sorted.count {
                    calls += sorted[j].calls
                    let allowed = Double(limits.burst) + limits.perSecond * sorted[j].at.timeIntervalSince(sorted[i].at)
                    #expect(Double(calls) <= allowed + 1e-6, "\(calls) calls in \(sorted[j].at.timeIntervalSince(sorted[i].at)) s")
                }
            }
        }
    }

    @Test("concurrent claimers never hold more than maxConcurrency recipients in sending")
    func concurrencyHoldsAcrossClaimers() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let (seed, batch) = try await sentBatch(store, f, recipients: 120)
            let limits = DeliveryLimits(perSecond: 1_000_000, burst: 1_000_000, maxConcurrency: 5, callSize: 1)
            let held = Shared((now: 0, most: 0, total: 0))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<Self.claimers {
                    group.addTask {
                        while held.withLock({ $0.total }) < 120 {
                            let result = try await store.claim(request(seed, limits, calls: 2, f))
                            guard !result.claimed.isEmpty else {
                                #expect(result.refusal == .concurrency || result.refusal == nil)
                                try await Task.sleep(for: .milliseconds(2))
                                continue
                            }
                            // Counted after the claim committed and uncounted before the outcome is
                            // written: never more than the store's own count of recipients in flight.
                            held.withLock { held in
                                held.now += result.claimed.count
                                held.total += result.claimed.count
                                held.most = max(held.most, held.now)
                            }
                            try await Task.sleep(for: .milliseconds(5))
                            held.withLock { $0.now -= result.claimed.count }
                            _ = try await store.complete(
                                result.claimed.map {
                                    DeliveryCompletion(
                                        recipientID: $0.recipientID, batchID: $0.batchID, leaseToken: $0.leaseToken,
                                        resolution: .delivered(providerMessageID: "m\($0.recipientID)"))
                                }, now: f.time(12))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let most = held.withLock { $0.most }
            #expect(most <= limits.maxConcurrency, "\(most) recipients in flight at once")
            #expect(most > 1, "the claimers did run side by side")
            let stored = try #require(try await store.batchForDelivery(batch.id))
            #expect(stored.counts.delivered == 120)
            #expect(stored.status == .completed)
        }
    }

    @Test("a provider's pause stops every claim until it ends")
    func pauseStopsClaims() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let (seed, batch) = try await sentBatch(store, f, recipients: 10)
            let limits = DeliveryLimits(perSecond: 100, burst: 100, maxConcurrency: 100, callSize: 1)
            try await store.pause(sendConfig: seed.sendConfig.id, for: 30)
            try await store.pause(sendConfig: seed.sendConfig.id, for: 1)  // a shorter pause does not shorten it
            let refused = try await store.claim(request(seed, limits, calls: 5, f))
            #expect(refused.refusal == .paused)
            #expect(refused.claimed.isEmpty)
            let wait = try #require(refused.retryAfter)
            #expect(wait > 25 && wait <= 30, "\(wait)")
            #expect(try await store.batchForDelivery(batch.id)?.counts.queued == 10)

            // A short pause on another config ends by the store's clock: every claim weighed
            // before it ends is refused, and one is granted after (judged by store time only, so
            // a slow machine cannot fail it).
            let other = f.sendConfig(in: seed.workspace.id)
            try await store.insertSendConfig(other)
            let draft = try await store.createBatch(f.batch(for: other), recipients: f.recipients(["x@example.com"])).0
            _ = try await store.apply(.send, to: draft.id, in: seed.workspace.id, at: f.time(10))
            var otherSeed = seed
            otherSeed.sendConfig = other
            let beforePause = try await store.claim(request(seed, limits, calls: 1, f)).at
            try await store.pause(sendConfig: other.id, for: 0.5)
            var results: [LimitedClaim] = []
            for _ in 0..<500 {
                let result = try await store.claim(request(otherSeed, limits, calls: 1, f))
                results.append(result)
                if !result.claimed.isEmpty { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let granted = try #require(results.last)
            #expect(granted.claimed.count == 1, "granted once the pause ended")
            #expect(granted.at.timeIntervalSince(beforePause) >= 0.5)
            for refused in results.dropLast() {
                #expect(refused.refusal == .paused)
                #expect(refused.at.addingTimeInterval(refused.retryAfter ?? 0).timeIntervalSince(beforePause) >= 0.5)
            }
        }
    }

    @Test("a claim with an older config version is refused, and claims nothing")
    func changedConfigIsReported() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let (seed, batch) = try await sentBatch(store, f, recipients: 10)
            let limits = DeliveryLimits(perSecond: 100, burst: 100, maxConcurrency: 100, callSize: 1)
            #expect(try await store.claim(request(seed, limits, calls: 1, f)).claimed.count == 1)
            var changed = seed.sendConfig
            changed.name = "New name"
            changed.updatedAt = f.time(50)
            try await store.updateSendConfig(changed)
            let stale = try await store.claim(request(seed, limits, calls: 1, f))
            #expect(stale.refusal == .configChanged)
            #expect(stale.claimed.isEmpty)
            #expect(try await store.batchForDelivery(batch.id)?.counts.sending == 1)
            let fresh = try await store.claim(request(seed, limits, calls: 1, version: changed.updatedAt, f))
            #expect(fresh.claimed.count == 1)
        }
    }

    @Test("finished calls whose outcomes are not written yet do not hold maxConcurrency, under their own leases only")
    func finishedCallsFreeTheirSlots() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let (seed, _) = try await sentBatch(store, f, recipients: 10)
            let limits = DeliveryLimits(perSecond: 1_000, burst: 1_000, maxConcurrency: 2, callSize: 1)
            let first = try await store.claim(request(seed, limits, calls: 2, f))
            #expect(first.claimed.count == 2)
            #expect(try await store.claim(request(seed, limits, calls: 1, f)).refusal == .concurrency)
            // A lease that is not the recipient's (rescued and claimed again elsewhere) frees nothing.
            var wrong = request(seed, limits, calls: 2, f)
            wrong.finished = first.claimed.map { HeldLease(recipientID: $0.recipientID, leaseToken: $0.leaseToken &+ 1) }
            #expect(try await store.claim(wrong).refusal == .concurrency)
            // One call finished: one slot, and only one.
            var one = request(seed, limits, calls: 2, f)
            one.finished = [HeldLease(recipientID: first.claimed[0].recipientID, leaseToken: first.claimed[0].leaseToken)]
            #expect(try await store.claim(one).claimed.count == 1)
            // Once written, an outcome is not `sending`: naming it again subtracts nothing twice.
            _ = try await store.complete(
                [DeliveryCompletion(
                    recipientID: first.claimed[0].recipientID, batchID: first.claimed[0].batchID,
                    leaseToken: first.claimed[0].leaseToken, resolution: .delivered(providerMessageID: "m"))],
                now: f.time(12))
            #expect(try await store.claim(one).refusal == .concurrency)
        }
    }

    @Test("tokens are charged per started call, and unused ones come back with the next claim")
    func chargesCallsAndRefunds() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let (seed, _) = try await sentBatch(store, f, recipients: 50)
            // Three recipients per call, two calls' burst, and practically no refill.
            let limits = DeliveryLimits(perSecond: 0.001, burst: 2, maxConcurrency: 100, callSize: 3)
            let first = try await store.claim(request(seed, limits, calls: 5, f))
            #expect(first.claimed.count == 6 && first.calls == 2)
            let refused = try await store.claim(request(seed, limits, calls: 1, f))
            #expect(refused.refusal == .rate)
            #expect((refused.retryAfter ?? 0) > 100)
            let refunded = try await store.claim(request(seed, limits, calls: 5, unused: 1, f))
            #expect(refunded.claimed.count == 3 && refunded.calls == 1)
        }
    }
}

/// A value the concurrent claimers of a test share.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}
