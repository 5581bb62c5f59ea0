import BatchSenderCore
import BatchSenderStore
import Foundation
import Synchronization

/// A `DeliveryQueue` that forwards to a real store, with hooks a test uses to stage a bad day:
/// a claim followed at once by a pause, a `complete` that fails.
final class ProxyQueue: DeliveryQueue, Sendable {
    let inner: any DeliveryQueue
    /// Runs after each claim, before the runner sees it (claim number from 1).
    let afterClaim: @Sendable (_ number: Int, _ claimed: [ClaimedDelivery]) async throws -> Void
    /// Returns an error to fail a `complete` call with, or `nil` to let it through.
    let failComplete: @Sendable ([DeliveryCompletion]) -> (any Error)?
    /// Returns an error to fail an `extendLeases` call with, or `nil` to let it through.
    let failExtend: @Sendable () -> (any Error)?
    private let claims = Mutex(0)
    private let completes = Mutex<(calls: Int, failures: Int)>((0, 0))
    private let extensions = Mutex(0)

    init(
        _ inner: any DeliveryQueue,
        afterClaim: @escaping @Sendable (Int, [ClaimedDelivery]) async throws -> Void = { _, _ in },
        failComplete: @escaping @Sendable ([DeliveryCompletion]) -> (any Error)? = { _ in nil },
        failExtend: @escaping @Sendable () -> (any Error)? = { nil }
    ) {
        self.failExtend = failExtend
        self.inner = inner
        self.afterClaim = afterClaim
        self.failComplete = failComplete
    }

    var claimCalls: Int { claims.withLock { $0 } }
    var completeFailures: Int { completes.withLock { $0.failures } }
    var leaseExtensions: Int { extensions.withLock { $0 } }

    func claim(sendConfig: SendConfig.ID, limit: Int, now: Date, leaseDuration: TimeInterval) async throws -> [ClaimedDelivery] {
        let claimed = try await inner.claim(sendConfig: sendConfig, limit: limit, now: now, leaseDuration: leaseDuration)
        let number = claims.withLock { count -> Int in
            count += claimed.isEmpty ? 0 : 1
            return count
        }
        if !claimed.isEmpty { try await afterClaim(number, claimed) }
        return claimed
    }

    func complete(_ completions: [DeliveryCompletion], now: Date) async throws -> CompletionReport {
        if let error = failComplete(completions) {
            completes.withLock { $0.failures += 1 }
            throw error
        }
        completes.withLock { $0.calls += 1 }
        return try await inner.complete(completions, now: now)
    }

    func extendLeases(_ held: [(Recipient.ID, leaseToken: Int64)], until: Date) async throws {
        extensions.withLock { $0 += 1 }
        if let error = failExtend() { throw error }
        try await inner.extendLeases(held, until: until)
    }

    func sendConfigsWithDueWork(now: Date) async throws -> [SendConfig.ID] { try await inner.sendConfigsWithDueWork(now: now) }
    func rescueLeases(expiringBy: Date, now: Date) async throws -> Int { try await inner.rescueLeases(expiringBy: expiringBy, now: now) }
    func startScheduledBatches(now: Date) async throws -> [Batch.ID] { try await inner.startScheduledBatches(now: now) }
    func repairStuckBatches(now: Date) async throws -> [Batch.ID] { try await inner.repairStuckBatches(now: now) }
    func acquireLeadership(_ name: String, holder: String, now: Date, ttl: TimeInterval) async throws -> Bool {
        try await inner.acquireLeadership(name, holder: holder, now: now, ttl: ttl)
    }
    func batchForDelivery(_ id: Batch.ID) async throws -> Batch? { try await inner.batchForDelivery(id) }
    func sendConfigForDelivery(_ id: SendConfig.ID) async throws -> SendConfig? { try await inner.sendConfigForDelivery(id) }
    func batchStatuses(_ ids: [Batch.ID]) async throws -> [Batch.ID: BatchStatus] { try await inner.batchStatuses(ids) }
    func recordSandboxMessages(_ messages: [SandboxMessage]) async throws { try await inner.recordSandboxMessages(messages) }
    func sandboxMessages(of batch: Batch.ID, limit: Int) async throws -> [SandboxMessage] {
        try await inner.sandboxMessages(of: batch, limit: limit)
    }
    func queueDepth() async throws -> Int { try await inner.queueDepth() }
    func batchCountsByStatus() async throws -> [BatchStatus: Int] { try await inner.batchCountsByStatus() }
}

/// A store failure staged by a test.
struct StagedFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
