import Foundation

/// A state change requested through the API (`POST /v1/batches/{id}/send`, …).
public enum BatchCommand: Hashable, Sendable {
    case send
    case pause
    case resume
    case cancel
    /// Re-queue every recipient in one of these statuses (each must be in `RecipientStatus.retryable`).
    case retry(Set<RecipientStatus>)
}

/// All recipients of a batch in status `from` move to `to`.
public struct RecipientMove: Hashable, Sendable {
    public var from: RecipientStatus
    public var to: RecipientStatus
    /// Retry gives recipients a fresh attempt budget.
    public var resetsAttempts: Bool
    /// How many recipients move (known from the batch's maintained counts).
    public var count: Int

    public init(from: RecipientStatus, to: RecipientStatus, resetsAttempts: Bool = false, count: Int) {
        self.from = from
        self.to = to
        self.resetsAttempts = resetsAttempts
        self.count = count
    }
}

/// Why a command cannot be applied to a batch in its current state.
public enum BatchLifecycleError: Error, Hashable, Sendable {
    /// The batch's status does not allow the command (HTTP 409).
    case conflict(String)
    /// The command itself is malformed (HTTP 422).
    case invalid(String)
}

/// The rules of batch state changes, as pure functions: every store applies them the same way.
///
/// A store loads the batch (with its maintained counts), calls `apply`, executes the returned
/// recipient moves and writes the returned batch — all in one transaction.
public enum BatchLifecycle {
    /// The batch after `command`, and the recipient moves that go with it.
    public static func apply(
        _ command: BatchCommand, to batch: Batch, at now: Date
    ) throws(BatchLifecycleError) -> (batch: Batch, moves: [RecipientMove]) {
        let (next, moves) = try step(command, to: batch, at: now)
        // A command with nothing to do (pausing a paused batch, …) leaves the batch as it was.
        guard next != batch else { return (batch, moves) }
        return (settle(next, at: now), moves)
    }

    /// `command`'s own status change, before `settle`: each is one move of `BatchTransitions`.
    public static func step(
        _ command: BatchCommand, to batch: Batch, at now: Date
    ) throws(BatchLifecycleError) -> (batch: Batch, moves: [RecipientMove]) {
        var next = batch
        var moves: [RecipientMove] = []
        func move(_ from: RecipientStatus, _ to: RecipientStatus, resetting: Bool = false) {
            let count = next.counts[from]
            guard count > 0 else { return }
            moves.append(RecipientMove(from: from, to: to, resetsAttempts: resetting, count: count))
            next.counts.move(count, from: from, to: to)
        }

        // Every status change goes through the table: a move it forbids is refused, never written.
        func enter(_ status: BatchStatus, else refusal: @autoclosure () -> String? = nil) throws(BatchLifecycleError) {
            guard let moved = next.moved(to: status) else {
                throw .conflict(refusal() ?? "batch is \(next.status.rawValue) and cannot become \(status.rawValue)")
            }
            next = moved
        }

        switch command {
        case .send:
            guard batch.status == .draft else { throw .conflict("batch is \(batch.status.rawValue); only a draft can be sent") }
            guard batch.counts.total > 0 else { throw .invalid("batch has no recipients; add recipients before sending") }
            if let scheduledAt = batch.scheduledAt, scheduledAt > now {
                try enter(.scheduled)
            } else {
                try enter(.queued)
                move(.pending, .queued)
            }
        case .pause:
            if batch.status == .paused { return (batch, []) }
            try enter(.paused, else: "batch is \(batch.status.rawValue) and cannot be paused")
        case .resume:
            switch batch.status {
            case .queued, .processing, .scheduled: return (batch, [])
            case .paused: break
            default: throw .conflict("batch is \(batch.status.rawValue) and cannot be resumed")
            }
            if batch.startedAt != nil {
                try enter(.processing)
            } else if let scheduledAt = batch.scheduledAt, scheduledAt > now, batch.counts.pending > 0 {
                try enter(.scheduled)
            } else {
                try enter(.queued)
                move(.pending, .queued)
            }
        case .cancel:
            if batch.status == .cancelled { return (batch, []) }
            try enter(.cancelled, else: "batch is \(batch.status.rawValue) and cannot be cancelled")
            move(.pending, .cancelled)
            move(.queued, .cancelled)
        case .retry(let statuses):
            guard !statuses.isEmpty else { throw .invalid("statuses must name at least one status") }
            let refused = statuses.subtracting(RecipientStatus.retryable)
            guard refused.isEmpty else {
                let names = refused.map(\.rawValue).sorted().joined(separator: ", ")
                throw .invalid("cannot retry recipients in status \(names); retryable: failed, bounced, cancelled")
            }
            switch batch.status {
            case .draft, .scheduled: throw .conflict("batch is \(batch.status.rawValue); send it instead of retrying")
            default: break
            }
            for status in RecipientStatus.allCases where statuses.contains(status) {
                move(status, .queued, resetting: true)
            }
            // A finished batch re-opens as `queued`, like a sent one: the next claim makes it
            // `processing` again (and keeps its first `startedAt`).
            if !moves.isEmpty, batch.status == .completed || batch.status == .cancelled {
                try enter(.queued)
                next.completedAt = nil
            }
        }
        next.updatedAt = now
        return (next, moves)
    }

    /// Marks the batch complete once no recipient is pending, queued or sending (CONTRACT §4), if
    /// `BatchTransitions` lets its status become `completed`. A cancelled batch keeps its status and
    /// records when its last in-flight call ended.
    public static func settle(_ batch: Batch, at now: Date) -> Batch {
        guard batch.counts.open == 0, batch.completedAt == nil else { return batch }
        if var completed = batch.moved(to: .completed) {
            completed.completedAt = now
            return completed
        }
        guard batch.status == .cancelled else { return batch }
        var next = batch
        next.completedAt = now
        return next
    }
}
