import Foundation

/// The batch moves the queue makes on its own, outside any API command. Stores call these
/// rather than setting `status`, so that every batch move is one of `BatchTransitions`.
extension BatchLifecycle {
    /// A worker claimed recipients of the batch: a queued batch starts processing, and the first
    /// claim records `startedAt`. Any other batch is returned unchanged.
    public static func claimed(_ batch: Batch, at now: Date) -> Batch {
        guard batch.status == .queued, var next = batch.moved(to: .processing) else { return batch }
        next.startedAt = next.startedAt ?? now
        return next
    }

    /// A scheduled batch's time has come: it is queued (the store queues its pending recipients in
    /// the same transaction). Any other batch is returned unchanged.
    public static func scheduleReached(_ batch: Batch) -> Batch {
        guard batch.status == .scheduled else { return batch }
        return batch.moved(to: .queued) ?? batch
    }
}
