import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import BatchSenderWorker
import Foundation
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(2))) struct DeliveryEngineTests {
    @Test func deliversEveryRecipientAndCompletesOnce() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 40)
        let provider = ScriptedProvider()
        try await h.run(provider) { _ in
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.sent == 40)
            #expect(done.counts.total == 40)
            #expect(done.startedAt != nil && done.completedAt != nil)
        }
        #expect(provider.received.count == 40)
        #expect(Set(provider.received.map(\.idempotencyKey)).count == 40)
        #expect(h.completed.withLock { $0 } == [batch.id], "completion is reported exactly once")
        let recipients = try await h.recipients(batch)
        #expect(recipients.allSatisfy { $0.status == .sent && $0.attempts == 1 && $0.providerMessageID?.hasPrefix("p-msg_") == true })
        let first = try #require(provider.received.first { $0.recipientID == recipients[0].id })
        let name = try #require(recipients[0].variables["name"]?.stringValue)
        #expect(first.message == .sms(SMSMessage(to: recipients[0].to, from: "ACME", message: "Hi \(name)")))
    }

    @Test func transientFailuresAreRetriedWithTheSameIdempotencyKey() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 3)
        let provider = ScriptedProvider { message, _ in
            message.attempt < 3 ? .retry(reason: "HTTP 503", after: nil) : .accepted(providerMessageID: "ok", delivered: true)
        }
        try await h.run(provider) { _ in
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.delivered == 3)
        }
        #expect(provider.received.count == 9)
        for recipient in try await h.recipients(batch) {
            let keys = Set(provider.received.filter { $0.recipientID == recipient.id }.map(\.idempotencyKey))
            #expect(keys.count == 1)
            #expect(recipient.attempts == 3)
            #expect(recipient.lastError == nil)
            #expect(recipient.deliveredAt != nil)
        }
    }

    @Test func attemptsAreExhaustedThenFailedWithTheReason() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 2, maxAttempts: 3)
        let provider = ScriptedProvider { _, _ in .retry(reason: "HTTP 502: bad gateway", after: nil) }
        try await h.run(provider) { _ in
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.failed == 2)
        }
        #expect(provider.received.count == 6)
        for recipient in try await h.recipients(batch) {
            #expect(recipient.attempts == 3)
            #expect(recipient.lastError == "HTTP 502: bad gateway (gave up after 3 attempts)")
        }
    }

    @Test func permanentFailuresFailAtOnce() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 2)
        let provider = ScriptedProvider { _, _ in .reject(reason: "HTTP 404: no such hook") }
        try await h.run(provider) { _ in
            _ = try await h.waitFor(batch.id) { $0.status == .completed && $0.counts.failed == 2 }
        }
        #expect(provider.received.count == 2)
        #expect(try await h.recipients(batch).allSatisfy { $0.lastError == "HTTP 404: no such hook" && $0.attempts == 1 })
    }

    @Test func retryAfterIsHonoured() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 1)
        let provider = ScriptedProvider { _, _ in .retry(reason: "HTTP 429", after: 3_600) }
        let before = Date()
        try await h.run(provider) { _ in
            _ = try await h.waitFor(batch.id) { $0.counts.queued == 1 && provider.received.count == 1 }
        }
        let recipient = try #require(try await h.recipients(batch).first)
        #expect(recipient.status == .queued)
        #expect(recipient.lastError == "HTTP 429")
        #expect(try #require(recipient.nextAttemptAt) >= before.addingTimeInterval(3_590))
    }

    @Test func dryRunNeverCallsTheProvider() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 5, dryRun: true)
        let provider = ScriptedProvider()
        try await h.run(provider) { _ in
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.sent == 5)
        }
        #expect(provider.received.isEmpty)
        #expect(try await h.recipients(batch).allSatisfy { $0.providerMessageID?.hasPrefix("dryrun_") == true })
    }

    @Test func openBreakerDefersWithoutSpendingAttempts() async throws {
        let h = EngineHarness()
        var settings = EngineHarness.settings()
        settings.breakerFailureThreshold = 2
        let batch = try await h.sentBatch(count: 6, maxAttempts: 10, maxConcurrency: 1)
        let provider = ScriptedProvider { _, _ in .retry(reason: "connection refused", after: nil) }
        try await h.run(provider, settings: settings) { _ in
            // Two failures open the breaker for an hour; every other try is deferred, not failed.
            for _ in 0..<2_000 where provider.received.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
            _ = try await h.waitFor(batch.id) { $0.counts.sending == 0 && $0.counts.queued == 6 }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(provider.received.count == 2)
        let done = try #require(try await h.store.batchForDelivery(batch.id))
        #expect(done.counts.queued == 6)
        #expect(done.counts.failed == 0)
        let attempts = try await h.recipients(batch).map(\.attempts).reduce(0, +)
        #expect(attempts == 2, "deferrals do not use attempts")
    }

    @Test func pauseStopsNewCallsAndInFlightCallsRecordTheirOutcome() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 20, maxConcurrency: 1)
        let gate = Gate()
        let provider = ScriptedProvider { _, call in
            if call == 1 { await gate.wait() }
            return .accepted(providerMessageID: "ok", delivered: false)
        }
        try await h.run(provider) { engine in
            while provider.received.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            let paused = try await h.store.apply(.pause, to: batch.id, in: batch.workspaceID, at: Date())
            engine.signal.batchChanged(batch.id)
            #expect(paused.status == .paused)
            gate.open()
            _ = try await h.waitFor(batch.id) { $0.counts.sending == 0 && $0.counts.sent == 1 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(provider.received.count == 1, "no provider call after the pause")
            _ = try await h.store.apply(.resume, to: batch.id, in: batch.workspaceID, at: Date())
            engine.signal.workAvailable()
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.sent == 20)
        }
    }

    @Test func cancelCancelsTheRestWhileInFlightCallsFinish() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 10, maxConcurrency: 2)
        let gate = Gate()
        let provider = ScriptedProvider { _, _ in
            await gate.wait()
            return .accepted(providerMessageID: "ok", delivered: false)
        }
        try await h.run(provider) { engine in
            while provider.received.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
            _ = try await h.store.apply(.cancel, to: batch.id, in: batch.workspaceID, at: Date())
            engine.signal.batchChanged(batch.id)
            gate.open()
            let done = try await h.waitFor(batch.id) { $0.counts.sending == 0 && $0.completedAt != nil }
            #expect(done.status == .cancelled)
            #expect(done.counts.sent == provider.received.count)
            #expect(done.counts.sent + done.counts.cancelled == 10)
        }
    }

    @Test func shutdownWritesInFlightOutcomes() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 3, maxConcurrency: 3)
        let provider = ScriptedProvider { _, _ in
            try? await Task.sleep(for: .milliseconds(100))
            return .accepted(providerMessageID: "ok", delivered: false)
        }
        try await h.run(provider) { _ in
            while provider.received.count < 3 { try await Task.sleep(for: .milliseconds(5)) }
        }
        // The group shut down while the calls were running; their outcomes were still written.
        let after = try #require(try await h.store.batchForDelivery(batch.id))
        #expect(after.counts.sent == 3)
        #expect(after.status == .completed)
        #expect(provider.shutdownCalls == [3], "the provider is shut down once, after its last call")
    }

    @Test func suppressedAtSendTimeIsNotSent() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 3)
        let first = try #require(try await h.recipients(batch).first)
        _ = try await h.store.addSuppression(Suppression(
            address: first.to, workspaceID: batch.workspaceID, reason: .complaint, createdAt: Date()))
        let provider = ScriptedProvider()
        try await h.run(provider) { _ in
            let done = try await h.waitFor(batch.id) { $0.status == .completed }
            #expect(done.counts.suppressed == 1)
            #expect(done.counts.sent == 2)
        }
        #expect(!provider.received.contains { $0.recipientID == first.id })
    }

    @Test func aChangedSendConfigGetsAFreshRunner() async throws {
        let h = EngineHarness()
        let first = try await h.sentBatch(count: 2)
        let provider = ScriptedProvider()
        try await h.run(provider) { engine in
            _ = try await h.waitFor(first.id) { $0.status == .completed }
            #expect(h.providerBuilds.withLock { $0 } == 1)
            var config = try #require(try await h.store.sendConfigForDelivery(first.sendConfigID))
            config.settings = ["maxSegments": 3]
            try await h.store.updateSendConfig(config)
            engine.signal.sendConfigChanged(first.sendConfigID)
            var second = h.fixtures.batch(for: config, name: "second", createdAt: Date())
            second.payload = first.payload
            _ = try await h.store.createBatch(second, recipients: h.fixtures.recipients(["+14155550999"], module: .sms))
            _ = try await h.store.apply(.send, to: second.id, in: first.workspaceID, at: Date())
            engine.signal.workAvailable()
            _ = try await h.waitFor(second.id) { $0.status == .completed }
        }
        #expect(h.providerBuilds.withLock { $0 } == 2, "the changed config's provider was built again")
        #expect(h.builtFrom.withLock { $0.map(\.settings) } == [[:], ["maxSegments": 3]], "from the changed config")
    }
}

extension DeliveryEngineTests {
    @Test func aProviderRetryAfterPausesTheWholeConfig() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 5, maxConcurrency: 1)
        let provider = ScriptedProvider { _, call in
            call == 1 ? .retry(reason: "HTTP 429: rate_limit_exceeded", after: 3600) : .accepted(providerMessageID: "ok", delivered: false)
        }
        try await h.run(provider) { _ in
            while provider.received.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            // Without the pause the other four would go out within milliseconds.
            try await Task.sleep(for: .milliseconds(300))
            #expect(provider.received.count == 1, "no call while the provider asked to wait")
        }
        let after = try #require(try await h.store.batchForDelivery(batch.id))
        #expect(after.counts.sent == 0)
        #expect(after.counts.queued == 5, "the limited recipient is queued again, and the others were never claimed")
    }
}
