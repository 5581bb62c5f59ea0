import BatchSenderCore

/// A back door the safety-net conformance cases need and no store protocol offers: writing a
/// batch's maintained state — status, `completedAt` and counts — without touching its recipients,
/// as a bug would. Each driver's test target conforms its store; nothing else should.
public protocol BatchStateOverwriting: Sendable {
    /// Stores `batch.status`, `batch.completedAt` and `batch.counts` for the batch `batch.id`.
    func overwriteBatchState(_ batch: Batch) async throws
}
