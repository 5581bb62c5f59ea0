import BatchSenderCore
import BatchSenderStore
import BatchSenderWorker
import Foundation
import Logging
import Synchronization
import Testing

/// The engine while its database is away (CONTRACT §9): outcomes are kept in memory and written
/// when it is back — never turned into failures, never dropped — and nothing is claimed that
/// could not be recorded. Every wait is bounded, so a missing behaviour fails instead of hanging.
@Suite(.timeLimit(.minutes(2))) struct StoreOutageTests {
    /// A store that refused every write for a while and then recovers: the outcome waiting
    /// through it is written as it was, not recorded as "could not be recorded" (it used to be,
    /// when the store came back just as the writer gave up on it after five pauses).
    @Test func anOutcomeRefusedUntilTheStoreRecoversIsWrittenAsItWas() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 1, maxConcurrency: 1)
        let calls = Mutex(0)
        // Six refusals: five pauses, then the one attempt on which the writer used to give up.
        let queue = ProxyQueue(h.store, failComplete: { _ in
            calls.withLock { count in
                count += 1
                return count <= 6 ? StagedFailure("disk I/O error") : nil
            }
        })
        try await h.run(ScriptedProvider(), queue: queue) { _ in
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.sent == 1)
            #expect(done.counts.failed == 0, "an outage fails nobody")
        }
        #expect(queue.completeFailures == 6)
        #expect(try await h.recipients(batch).map(\.lastError) == [nil])
    }

    /// An outage longer than the lease: the leases cannot be extended, the rescuer (once the
    /// database is back, before the writer has retried) takes them back, and still every call's
    /// real outcome applies (`late`), no recipient is claimed again meanwhile, and none is sent twice.
    @Test(arguments: StoreKind.allCases)
    func anOutageLongerThanTheLeaseLosesNoOutcomeAndSendsNothingTwice(store: StoreKind) async throws {
        let h = try await store.harness()
        let count = 6
        let batch = try await h.sentBatch(count: count, maxConcurrency: count)
        let clock = ManualClock(Date())
        let now: @Sendable () -> Date = { clock.now }
        let down = Mutex(false)
        let unavailable: @Sendable () -> (any Error)? = {
            down.withLock { $0 } ? StoreUnavailable("connection refused") : nil
        }
        let queue = ProxyQueue(h.store, failComplete: { _ in unavailable() }, failExtend: unavailable)
        let gate = Gate()
        let provider = ScriptedProvider { message, _ in
            await gate.wait()
            return .accepted(providerMessageID: "p-\(message.idempotencyKey)", delivered: true)
        }
        let rescuer = Maintenance(queue: h.store, notifier: SilentNotifier(), now: now, logger: Logger(label: "test"))
        try await h.run(provider, queue: queue, now: now) { _ in
            // Every recipient's call is out when the database goes away.
            for _ in 0..<2_000 where provider.received.count < count { try await Task.sleep(for: .milliseconds(10)) }
            try #require(provider.received.count == count)
            down.withLock { $0 = true }
            gate.open()
            for _ in 0..<2_000 where queue.completeFailures < 2 { try await Task.sleep(for: .milliseconds(10)) }
            // The outage outlasts the lease; the database returns, and the rescuer runs first.
            clock.set(clock.now.addingTimeInterval(60))
            try await rescuer.tick(round: 1)
            let rescued = try #require(try await h.store.batchForDelivery(batch.id))
            #expect(rescued.counts.queued == count, "the rescuer took every lease back")
            // Claims wait for the waiting outcomes: give the runner time to (wrongly) claim.
            try await Task.sleep(for: .milliseconds(300))
            down.withLock { $0 = false }
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.delivered == count)
            #expect(done.counts.failed == 0)
        }
        #expect(provider.received.count == count, "no recipient was claimed again and sent twice")
        #expect(try await h.recipients(batch).allSatisfy { $0.attempts == 1 && $0.status == .delivered })
    }
}
