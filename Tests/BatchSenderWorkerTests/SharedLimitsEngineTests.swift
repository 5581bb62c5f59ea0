import BatchSenderCore
import BatchSenderStore
import BatchSenderWorker
import Foundation
import Synchronization
import Testing

/// A queue that keeps shared limits the way a store shared by several processes does (the
/// PostgreSQL store's own behaviour is tested against PostgreSQL): it refuses claims of a stale
/// config version, refuses the first `refusals` claims for the rate, and records every request.
final class SharedLimitsQueue: SharedDeliveryLimits, Sendable {
    let proxy: ProxyQueue
    let refusals: Int
    private let log = Mutex<(requests: [LimitedClaimRequest], plainClaims: Int, pauses: [TimeInterval])>(([], 0, []))

    init(_ inner: any DeliveryQueue, refusals: Int = 0) {
        proxy = ProxyQueue(inner)
        self.refusals = refusals
    }

    var requests: [LimitedClaimRequest] { log.withLock { $0.requests } }
    var plainClaims: Int { log.withLock { $0.plainClaims } }
    var pauses: [TimeInterval] { log.withLock { $0.pauses } }

    func claim(_ request: LimitedClaimRequest) async throws -> LimitedClaim {
        let number = log.withLock { log in
            log.requests.append(request)
            return log.requests.count
        }
        guard let stored = try await proxy.inner.sendConfigForDelivery(request.sendConfig),
            stored.updatedAt == request.configVersion
        else { return LimitedClaim(refusal: .configChanged, at: Date()) }
        if number <= refusals { return LimitedClaim(refusal: .rate, retryAfter: 0.01, at: Date()) }
        let claimed = try await proxy.inner.claim(
            sendConfig: request.sendConfig, limit: request.calls * request.limits.callSize, now: request.now,
            leaseDuration: request.leaseDuration)
        return LimitedClaim(
            claimed: claimed, calls: (claimed.count + request.limits.callSize - 1) / request.limits.callSize, at: Date())
    }

    func pause(sendConfig: SendConfig.ID, for seconds: TimeInterval) async throws {
        log.withLock { $0.pauses.append(seconds) }
    }

    func claim(sendConfig: SendConfig.ID, limit: Int, now: Date, leaseDuration: TimeInterval) async throws -> [ClaimedDelivery] {
        log.withLock { $0.plainClaims += 1 }
        return try await proxy.claim(sendConfig: sendConfig, limit: limit, now: now, leaseDuration: leaseDuration)
    }

    func complete(_ completions: [DeliveryCompletion], now: Date) async throws -> CompletionReport {
        try await proxy.complete(completions, now: now)
    }
    func extendLeases(_ held: [(Recipient.ID, leaseToken: Int64)], until: Date) async throws {
        try await proxy.extendLeases(held, until: until)
    }
    func sendConfigsWithDueWork(now: Date) async throws -> [SendConfig.ID] { try await proxy.sendConfigsWithDueWork(now: now) }
    func rescueLeases(expiringBy: Date, now: Date) async throws -> Int { try await proxy.rescueLeases(expiringBy: expiringBy, now: now) }
    func startScheduledBatches(now: Date) async throws -> [Batch.ID] { try await proxy.startScheduledBatches(now: now) }
    func repairStuckBatches(now: Date) async throws -> [Batch.ID] { try await proxy.repairStuckBatches(now: now) }
    func acquireLeadership(_ name: String, holder: String, now: Date, ttl: TimeInterval) async throws -> Bool {
        try await proxy.acquireLeadership(name, holder: holder, now: now, ttl: ttl)
    }
    func batchForDelivery(_ id: Batch.ID) async throws -> Batch? { try await proxy.batchForDelivery(id) }
    func sendConfigForDelivery(_ id: SendConfig.ID) async throws -> SendConfig? { try await proxy.sendConfigForDelivery(id) }
    func batchStatuses(_ ids: [Batch.ID]) async throws -> [Batch.ID: BatchStatus] { try await proxy.batchStatuses(ids) }
    func recordSandboxMessages(_ messages: [SandboxMessage]) async throws { try await proxy.recordSandboxMessages(messages) }
    func sandboxMessages(of batch: Batch.ID, limit: Int) async throws -> [SandboxMessage] {
        try await proxy.sandboxMessages(of: batch, limit: limit)
    }
    func queueDepth() async throws -> Int { try await proxy.queueDepth() }
    func batchCountsByStatus() async throws -> [BatchStatus: Int] { try await proxy.batchCountsByStatus() }
}

/// The runner on a queue shared by several processes: limits weighed by the store in the claim.
@Suite struct SharedLimitsEngineTests {
    @Test func claimsGoThroughTheSharedLimitsWithTheConfigsLimitsAndWaitOutRefusals() async throws {
        let h = EngineHarness()
        let batch = try await h.sentBatch(count: 12, maxConcurrency: 3, perSecond: 250)
        let queue = SharedLimitsQueue(h.store, refusals: 3)
        let provider = ScriptedProvider(maxBatchSize: 2)
        try await h.run(provider, queue: queue) { _ in
            _ = try await h.waitFor(batch.id) { $0.status == .completed }
        }
        #expect(queue.plainClaims == 0, "every claim is weighed by the store")
        let first = try #require(queue.requests.first)
        #expect(first.limits == DeliveryLimits(perSecond: 250, burst: 250, maxConcurrency: 3, callSize: 2))
        #expect(queue.requests.allSatisfy { (1...3).contains($0.calls) }, "never more calls than free slots")
        #expect(queue.requests.count > 3, "claimed again after the refusals")
        #expect(provider.received.count == 12)
    }

    @Test func aConfigChangedByAnotherProcessRetiresTheRunner() async throws {
        let h = EngineHarness()
        let first = try await h.sentBatch(count: 2)
        let queue = SharedLimitsQueue(h.store)
        let provider = ScriptedProvider()
        try await h.run(provider, queue: queue) { engine in
            _ = try await h.waitFor(first.id) { $0.status == .completed }
            // Changed through another process: this one's engine gets no signal.
            var config = try #require(try await h.store.sendConfigForDelivery(first.sendConfigID))
            config.settings = ["maxSegments": 3]
            config.updatedAt = config.updatedAt.addingTimeInterval(60)
            try await h.store.updateSendConfig(config)
            var second = h.fixtures.batch(for: config, name: "second", createdAt: Date())
            second.payload = first.payload
            _ = try await h.store.createBatch(second, recipients: h.fixtures.recipients(["+14155550999"], module: .sms))
            _ = try await h.store.apply(.send, to: second.id, in: first.workspaceID, at: Date())
            engine.signal.workAvailable()
            _ = try await h.waitFor(second.id) { $0.status == .completed }
        }
        #expect(h.builtFrom.withLock { $0.map(\.settings) } == [[:], ["maxSegments": 3]], "restarted with the stored config")
    }

    @Test func aProviderRetryAfterIsSharedWithEveryProcess() async throws {
        let h = EngineHarness()
        _ = try await h.sentBatch(count: 3, maxConcurrency: 1)
        let queue = SharedLimitsQueue(h.store)
        let provider = ScriptedProvider { _, call in
            call == 1 ? .retry(reason: "HTTP 429", after: 120) : .accepted(providerMessageID: "ok", delivered: false)
        }
        try await h.run(provider, queue: queue) { _ in
            for _ in 0..<2_000 where queue.pauses.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(queue.pauses == [120])
        #expect(provider.received.count == 1)
    }
}
