import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import BatchSenderWorker
import Foundation
import Logging
import Synchronization
import Testing

/// The engine on a bad day: calls longer than their lease, a store that refuses writes, a
/// shutdown with a call that will not end, changes that must be seen at once. Every wait is
/// bounded (`waitFor`, `.timeLimit`), so a missing behaviour fails instead of hanging.
@Suite(.timeLimit(.minutes(2))) struct EngineFailureTests {
    /// Short leases, so "longer than the lease" takes a second, not a minute.
    static func shortLeases() -> EngineSettings {
        var settings = EngineHarness.settings()
        // Loose enough for a loaded 2-core machine: renewals every 250 ms keep a 1.5 s lease.
        settings.leaseDuration = 1.5
        settings.leaseRenewalInterval = .milliseconds(250)
        return settings
    }

    /// Time is the test's: the lease clock moves only after a renewal has been seen, so the
    /// outcome does not depend on how busy the machine is.
    @Test(arguments: StoreKind.allCases, [false, true])
    func aCallLongerThanItsLeaseIsSentOnce(store: StoreKind, patchedMeanwhile: Bool) async throws {
        let h = try await store.harness()
        let batch = try await h.sentBatch(count: 2, maxConcurrency: 2)
        let clock = Mutex(Date())
        let now: @Sendable () -> Date = { clock.withLock { $0 } }
        let gate = Gate()
        let provider = ScriptedProvider { _, _ in
            await gate.wait()
            return .accepted(providerMessageID: "ok", delivered: true)
        }
        let queue = ProxyQueue(h.store)
        var settings = EngineHarness.settings()
        settings.leaseDuration = 30
        settings.leaseRenewalInterval = .milliseconds(50)
        let rescuer = Maintenance(queue: h.store, notifier: SilentNotifier(), now: now, logger: Logger(label: "test"))
        try await h.run(provider, settings: settings, queue: queue, now: now) { engine in
            while provider.received.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
            if patchedMeanwhile {
                // A PATCH retires the runner while its calls are out; their leases must live on.
                engine.signal.sendConfigChanged(batch.sendConfigID)
            }
            // Three rounds of 20 s: 60 s of calls against a 30 s lease, the rescuer after each.
            for round in 0..<3 {
                let seen = queue.leaseExtensions
                // Bounded: without renewals the loop ends and the rescuer takes the leases back.
                for _ in 0..<500 where queue.leaseExtensions == seen { try await Task.sleep(for: .milliseconds(10)) }
                clock.withLock { $0 = $0.addingTimeInterval(20) }
                try await rescuer.tick(round: round + 1)
            }
            gate.open()
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.delivered == 2)
        }
        #expect(provider.received.count == 2, "nothing was rescued and sent again")
        #expect(try await h.recipients(batch).allSatisfy { $0.attempts == 1 })
    }

    @Test func aPoisonOutcomeIsRecordedAsFailedAndTheRestAreWritten() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 12, maxConcurrency: 4)
        let poison = try #require(try await h.recipients(batch).dropFirst(5).first).id
        let queue = ProxyQueue(h.store, failComplete: { completions in
            // The store refuses this recipient's real outcome, whatever else is in the transaction.
            completions.contains { $0.recipientID == poison && $0.resolution == .sent(providerMessageID: "ok") }
                ? StagedFailure("CHECK constraint failed") : nil
        })
        var settings = EngineHarness.settings()
        settings.completionFlushDelay = .milliseconds(50)
        try await h.run(ScriptedProvider { _, _ in .accepted(providerMessageID: "ok", delivered: false) },
                        settings: settings, queue: queue) { _ in
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.sent == 11)
            #expect(done.counts.failed == 1)
        }
        let row = try #require(try await h.recipients(batch).first { $0.id == poison })
        #expect(row.status == .failed)
        #expect(row.lastError?.hasPrefix("the outcome could not be recorded: CHECK constraint failed") == true)
        #expect(queue.completeFailures >= 2)
    }

    @Test func anOutageDelaysOutcomesAndStopsClaimsButLosesNothing() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 30, maxConcurrency: 2)
        let down = Mutex(true)
        let queue = ProxyQueue(h.store, failComplete: { _ in down.withLock { $0 } ? StagedFailure("disk I/O error") : nil })
        var settings = EngineHarness.settings()
        settings.completionBacklogLimit = 4
        try await h.run(ScriptedProvider(), settings: settings, queue: queue) { _ in
            while queue.completeFailures < 6 { try await Task.sleep(for: .milliseconds(5)) }
            // The backlog limit holds claims back: a few claims, not thirty.
            let claimed = try #require(try await h.store.batchForDelivery(batch.id)).counts.sending
            #expect(claimed <= 4 + 2)
            #expect(try await h.store.batchForDelivery(batch.id)?.counts.failed == 0, "an outage fails nobody")
            down.withLock { $0 = false }
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.sent == 30)
        }
        #expect(try await h.recipients(batch).allSatisfy { $0.attempts == 1 })
    }

    @Test func shutdownCancelsACallPastTheDeadlineAndGivesItsAttemptBack() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 3, maxConcurrency: 1)
        let provider = ScriptedProvider { _, _ in
            // A receiver that answers after two minutes; cancellation ends the wait early.
            do {
                try await Task.sleep(for: .seconds(120))
            } catch {
                return .retry(reason: "cancelled", after: nil)
            }
            return .accepted(providerMessageID: "late", delivered: true)
        }
        var settings = EngineHarness.settings()
        settings.shutdownCallDeadline = .milliseconds(300)
        let started = ContinuousClock.now
        try await h.run(provider, settings: settings) { _ in
            while provider.received.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        }
        // The run returned (the time limit would fail the test otherwise): the call was cancelled.
        _ = started
        let after = try #require(try await h.store.batchForDelivery(batch.id))
        #expect(after.counts.queued == 3)
        #expect(after.counts.sending == 0)
        #expect(try await h.recipients(batch).allSatisfy { $0.attempts == 0 }, "the cancelled call's attempt is given back")
    }

    @Test(arguments: [BatchCommand.pause, .cancel])
    func aPauseOrCancelReachesClaimedWorkBeforeItsCall(command: BatchCommand) async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 10, maxConcurrency: 1)
        let signal = Mutex<EngineSignal?>(nil)
        // The batch changes right after the second claim: that recipient is claimed, its call
        // not started, and the runner's cached status (refreshed hourly here) says processing.
        let queue = ProxyQueue(h.store, afterClaim: { number, _ in
            guard number == 2 else { return }
            _ = try await h.store.apply(command, to: batch.id, in: batch.workspaceID, at: Date())
            signal.withLock { $0 }?.batchChanged(batch.id)
        })
        var settings = EngineHarness.settings()
        settings.statusRefreshInterval = 3_600
        let provider = ScriptedProvider()
        try await h.run(provider, settings: settings, queue: queue) { engine in
            signal.withLock { $0 = engine.signal }
            _ = try await h.waitFor(batch.id) { $0.counts.sending == 0 && $0.counts.sent == 1 && $0.status != .processing }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(provider.received.count == 1, "no call after the \(command)")
        let after = try #require(try await h.store.batchForDelivery(batch.id))
        #expect(command == .pause ? after.counts.queued == 9 : after.counts.cancelled == 9)
    }

    @Test func aDeferredProbeFreesTheHalfOpenBreaker() async throws {
        let h = EngineHarness()
        var settings = EngineHarness.settings()
        settings.breakerFailureThreshold = 1
        settings.breakerOpenDuration = 0.05
        let batch = try await h.sentBatch(count: 1, maxAttempts: 5, maxConcurrency: 1)
        let provider = ScriptedProvider { _, call in
            switch call {
            case 1: .retry(reason: "HTTP 503", after: nil)  // opens the breaker
            case 2: .deferred(until: Date(), reason: "greylisted")  // the half-open probe
            default: .accepted(providerMessageID: "ok", delivered: true)
            }
        }
        try await h.run(provider, settings: settings) { _ in
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.delivered == 1)
        }
        #expect(provider.received.count == 3)
    }

    @Test func aRetriedRecipientGetsANewIdempotencyKey() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 1)
        let provider = ScriptedProvider { _, call in
            call == 1 ? .reject(reason: "HTTP 422: bad number") : .accepted(providerMessageID: "ok", delivered: false)
        }
        try await h.run(provider) { engine in
            _ = try await h.waitFor(batch.id) { $0.status == .completed && $0.counts.failed == 1 }
            _ = try await h.store.apply(.retry([.failed]), to: batch.id, in: batch.workspaceID, at: Date())
            engine.signal.workAvailable()
            _ = try await h.waitFor(batch.id) { $0.status == .completed && $0.counts.sent == 1 }
        }
        let keys = provider.received.map(\.idempotencyKey)
        #expect(keys.count == 2)
        #expect(keys[0] != keys[1], "Resend would answer the first send's result to a reused key")
        #expect(keys[1].hasSuffix("_r1"))
        #expect(MessageKey.parse(keys[1])?.row == MessageKey.parse(keys[0])?.row)
    }

    @Test func shutdownDuringAStoreOutageGivesUpAtItsDeadline() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 20, maxConcurrency: 2)
        let queue = ProxyQueue(h.store, failComplete: { _ in StagedFailure("database is locked") })
        var settings = EngineHarness.settings()
        settings.completionBacklogLimit = 2
        settings.shutdownCallDeadline = .milliseconds(200)
        settings.shutdownWriteDeadline = .milliseconds(300)
        try await h.run(ScriptedProvider(), settings: settings, queue: queue) { _ in
            while queue.completeFailures < 3 { try await Task.sleep(for: .milliseconds(5)) }
        }
        // The engine returned (the time limit would fail the test otherwise) with its outcomes
        // unwritten: the recipients stay leased, for the rescuer to re-queue.
        let after = try #require(try await h.store.batchForDelivery(batch.id))
        #expect(after.counts.sending > 0)
        #expect(after.counts.sending <= 4, "claims stopped at the backlog limit")
        #expect(after.counts.sent == 0)
    }

    @Test func aMessageOverTheRenderBudgetFailsInsteadOfGoingOutCutShort() async throws {
        let h = EngineHarness()
        let workspace = try await h.store.ensureWorkspace(h.fixtures.workspace())
        var config = h.fixtures.sendConfig(in: workspace.id, module: .sms)
        config.settings = [:]
        try await h.store.insertSendConfig(config)
        var batch = h.fixtures.batch(for: config)
        // n^4 section iterations: 70 items cost 24 million, far over the per-message budget.
        batch.payload = ["from": "ACME", "message": "{{#a}}{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}{{/a}}"]
        let items = JSONValue.array((0..<70).map { .int($0) })
        _ = try await h.store.createBatch(batch, recipients: [
            NewRecipient(to: "+14155550001", normalizedTo: "+14155550001", variables: ["a": items]),
            NewRecipient(to: "+14155550002", normalizedTo: "+14155550002", variables: ["a": [1]]),
        ])
        let sent = try await h.store.apply(.send, to: batch.id, in: workspace.id, at: Date())
        let provider = ScriptedProvider()
        try await h.run(provider) { _ in
            let done = try await h.waitFor(sent.id) { $0.status == .completed }
            #expect(done.counts.failed == 1)
            #expect(done.counts.sent == 1)
        }
        #expect(provider.received.map(\.message) == [.sms(SMSMessage(to: "+14155550002", from: "ACME", message: "x"))])
        let failed = try await h.store.recipients(of: batch.id, in: workspace.id, status: .failed, page: PageRequest(limit: 5)).items
        #expect(failed.first?.lastError?.hasPrefix("the message could not be rendered") == true)
    }
}
