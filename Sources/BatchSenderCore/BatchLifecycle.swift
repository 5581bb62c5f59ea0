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
        var next = batch
        var moves: [RecipientMove] = []
        func move(_ from: RecipientStatus, _ to: RecipientStatus, resetting: Bool = false) {
            let count = next.counts[from]
            guard count > 0 else { return }
            moves.append(RecipientMove(from: from, to: to, resetsAttempts: resetting, count: count))
            next.counts.move(count, from: from, to: to)
        }

        switch command {
        case .send:
            guard batch.status == .draft else { throw .conflict("batch is \(batch.status.rawValue); only a draft can be sent") }
            guard batch.counts.total > 0 else { throw .invalid("batch has no recipients; add recipients before sending") }
            if let scheduledAt = batch.scheduledAt, scheduledAt > now {
                next.status = .scheduled
            } else {
                next.status = .queued
                move(.pending, .queued)
            }
        case .pause:
            switch batch.status {
            case .paused: return (batch, [])
            case .scheduled, .queued, .processing: next.status = .paused
            default: throw .conflict("batch is \(batch.status.rawValue) and cannot be paused")
            }
        case .resume:
            switch batch.status {
            case .queued, .processing, .scheduled: return (batch, [])
            case .paused:
                if batch.startedAt != nil {
                    next.status = .processing
                } else if let scheduledAt = batch.scheduledAt, scheduledAt > now, batch.counts.pending > 0 {
                    next.status = .scheduled
                } else {
                    next.status = .queued
                    move(.pending, .queued)
                }
            default: throw .conflict("batch is \(batch.status.rawValue) and cannot be resumed")
            }
        case .cancel:
            switch batch.status {
            case .cancelled: return (batch, [])
            case .draft, .scheduled, .queued, .processing, .paused:
                next.status = .cancelled
                move(.pending, .cancelled)
                move(.queued, .cancelled)
            case .completed: throw .conflict("batch is completed and cannot be cancelled")
            }
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
            if !moves.isEmpty, batch.status == .completed || batch.status == .cancelled {
                next.status = batch.startedAt == nil ? .queued : .processing
                next.completedAt = nil
            }
        }
        next.updatedAt = now
        return (settle(next, at: now), moves)
    }

    /// Marks the batch complete once no recipient is pending, queued or sending (CONTRACT §4).
    /// A cancelled batch keeps its status and records when its last in-flight call ended.
    public static func settle(_ batch: Batch, at now: Date) -> Batch {
        var next = batch
        guard next.counts.open == 0, next.completedAt == nil else { return next }
        switch next.status {
        case .queued, .processing, .paused:
            next.status = .completed
            next.completedAt = now
        case .cancelled:
            next.completedAt = now
        case .draft, .scheduled, .completed:
            break
        }
        return next
    }
}
