import BatchSenderCore
import BatchSenderStore
import Foundation

// Next increment: claims with FOR UPDATE SKIP LOCKED, set-based completions, rescues and leader
// leases (issue 10, items 2 and 5). Until then every call says so instead of pretending.

extension PostgresStore: DeliveryQueue {
    public func sendConfigsWithDueWork(now: Date) async throws -> [SendConfig.ID] {
        throw PostgresStoreError.notImplemented("sendConfigsWithDueWork")
    }

    public func claim(sendConfig: SendConfig.ID, limit: Int, now: Date, leaseDuration: TimeInterval) async throws
        -> [ClaimedDelivery]
    {
        throw PostgresStoreError.notImplemented("claim")
    }

    public func extendLeases(_ held: [(Recipient.ID, leaseToken: Int64)], until: Date) async throws {
        throw PostgresStoreError.notImplemented("extendLeases")
    }

    public func complete(_ completions: [DeliveryCompletion], now: Date) async throws -> CompletionReport {
        throw PostgresStoreError.notImplemented("complete")
    }

    public func rescueLeases(expiringBy: Date, now: Date) async throws -> Int {
        throw PostgresStoreError.notImplemented("rescueLeases")
    }

    public func startScheduledBatches(now: Date) async throws -> [Batch.ID] {
        throw PostgresStoreError.notImplemented("startScheduledBatches")
    }

    public func repairStuckBatches(now: Date) async throws -> [Batch.ID] {
        throw PostgresStoreError.notImplemented("repairStuckBatches")
    }

    public func acquireLeadership(_ name: String, holder: String, now: Date, ttl: TimeInterval) async throws -> Bool {
        throw PostgresStoreError.notImplemented("acquireLeadership")
    }

    public func batchForDelivery(_ id: Batch.ID) async throws -> Batch? {
        throw PostgresStoreError.notImplemented("batchForDelivery")
    }

    public func sendConfigForDelivery(_ id: SendConfig.ID) async throws -> SendConfig? {
        throw PostgresStoreError.notImplemented("sendConfigForDelivery")
    }

    public func batchStatuses(_ ids: [Batch.ID]) async throws -> [Batch.ID: BatchStatus] {
        throw PostgresStoreError.notImplemented("batchStatuses")
    }

    public func recordSandboxMessages(_ messages: [SandboxMessage]) async throws {
        throw PostgresStoreError.notImplemented("recordSandboxMessages")
    }

    public func sandboxMessages(of batch: Batch.ID, limit: Int) async throws -> [SandboxMessage] {
        throw PostgresStoreError.notImplemented("sandboxMessages")
    }

    public func queueDepth() async throws -> Int {
        throw PostgresStoreError.notImplemented("queueDepth")
    }

    public func batchCountsByStatus() async throws -> [BatchStatus: Int] {
        throw PostgresStoreError.notImplemented("batchCountsByStatus")
    }
}
