/// Where one recipient is in its life (DESIGN §2):
/// `pending → queued → sending → sent → delivered | bounced | complained`, or `failed`,
/// `suppressed`, `cancelled`.
public enum RecipientStatus: String, CaseIterable, Codable, Sendable {
    case pending, queued, sending, sent, delivered, failed, bounced, complained, suppressed, cancelled

    /// Statuses in which the recipient still has work ahead; a batch is complete when none remain.
    public static let open: Set<RecipientStatus> = [.pending, .queued, .sending]

    /// Whether the recipient has left the queue for good (until an explicit retry).
    public var isTerminal: Bool { !Self.open.contains(self) }

    /// Statuses `POST /v1/batches/{id}/retry` may re-queue. Suppressed and complained addresses are
    /// never re-sent, and sent/delivered ones were already handed to the provider.
    public static let retryable: Set<RecipientStatus> = [.failed, .bounced, .cancelled]

    /// Whether a recipient may move from `self` to `next`.
    public func canTransition(to next: RecipientStatus) -> Bool {
        RecipientTransitions.allowed[self, default: []].contains(next)
    }
}

/// The one table of allowed recipient transitions. Stores and the engine consult it; tests pin it.
public enum RecipientTransitions {
    public static let allowed: [RecipientStatus: Set<RecipientStatus>] = [
        // Send queues; cancel or a suppression found at send time end it.
        .pending: [.queued, .cancelled, .suppressed],
        // A worker claims it; cancel and the pre-send suppression check end it.
        .queued: [.sending, .cancelled, .suppressed],
        // The provider call's outcome; `queued` again for a retry, a deferral or a rescued lease;
        // `cancelled` when the batch was cancelled while the recipient was out of the queue.
        .sending: [.sent, .delivered, .failed, .bounced, .queued, .suppressed, .cancelled],
        // Provider events after the hand-over.
        .sent: [.delivered, .bounced, .complained, .failed],
        // Late events: a complaint, an asynchronous bounce, or a receiver reporting that what it
        // accepted failed after all (webhook events).
        .delivered: [.bounced, .complained, .failed],
        // Explicit retry re-queues.
        .failed: [.queued],
        .bounced: [.queued, .complained],
        .cancelled: [.queued],
        .complained: [],
        .suppressed: [],
    ]
}
