import BatchSenderCore
@testable import BatchSenderStore
import BatchSenderTesting

/// The safety-net conformance cases' back door: the maintained state, without the recipients.
extension InMemoryStore: BatchStateOverwriting {
    public func overwriteBatchState(_ batch: Batch) async throws {
        guard var stored = batches[batch.id] else { return }
        stored.status = batch.status
        stored.completedAt = batch.completedAt
        stored.counts = batch.counts
        batches[batch.id] = stored
    }
}
