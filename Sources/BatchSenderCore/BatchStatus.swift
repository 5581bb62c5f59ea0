/// Where a batch is in its life: `draft → queued | scheduled → processing → completed`, plus
/// `paused` and `cancelled` (CONTRACT §4).
public enum BatchStatus: String, CaseIterable, Codable, Sendable {
    case draft, scheduled, queued, processing, paused, completed, cancelled

    /// Statuses in which the batch's send config may not be deleted (CONTRACT §3).
    public static let active: Set<BatchStatus> = [.draft, .scheduled, .queued, .processing, .paused]

    /// Whether a batch may move from `self` to `next`.
    public func canTransition(to next: BatchStatus) -> Bool {
        BatchTransitions.allowed[self, default: []].contains(next)
    }
}

/// The one table of allowed batch transitions. `BatchLifecycle` and the stores change a batch's
/// status only through `Batch.moved(to:)`, which consults it; `BatchTransitionAgreementTests`
/// checks that the code makes every move listed here and no other.
public enum BatchTransitions {
    public static let allowed: [BatchStatus: Set<BatchStatus>] = [
        .draft: [.queued, .scheduled, .cancelled],
        .scheduled: [.queued, .paused, .cancelled],
        .queued: [.processing, .paused, .cancelled, .completed],
        .processing: [.completed, .paused, .cancelled],
        .paused: [.queued, .processing, .scheduled, .cancelled, .completed],
        // `retry` re-opens a finished batch as queued; its next claim makes it processing.
        .completed: [.queued],
        .cancelled: [.queued],
    ]
}
