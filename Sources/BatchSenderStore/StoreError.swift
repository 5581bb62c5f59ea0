import Foundation
import BatchSenderCore

/// Failures a store reports for expected conditions; anything else is an internal error.
public enum StoreError: Error, Hashable, Sendable {
    /// The entity does not exist in this workspace.
    case notFound(String)
    /// The entity's state forbids the change (HTTP 409).
    case conflict(String)
    /// The change is well-formed but not acceptable, e.g. a limit (HTTP 422).
    case unprocessable(String)
    /// A `PageRequest.after` that names nothing in this list (HTTP 400).
    case invalidCursor

    /// Maps a lifecycle rule violation to the store error of the same meaning.
    public init(_ error: BatchLifecycleError) {
        switch error {
        case .conflict(let message): self = .conflict(message)
        case .invalid(let message): self = .unprocessable(message)
        }
    }

    /// A retry of a batch whose send config is gone. Stores check it inside the retry's
    /// transaction, so a concurrent DELETE cannot leave re-queued recipients with no sender.
    public static func sendConfigGone(_ id: SendConfig.ID) -> StoreError {
        .conflict("the batch's send config \(id) was deleted; nothing can be retried")
    }
}

extension BatchLifecycle {
    /// `apply` for a store: the same result, with rule violations as the `StoreError` of the
    /// same meaning (409/422), so every driver maps them one way.
    public static func applying(
        _ command: BatchCommand, to batch: Batch, at now: Date
    ) throws(StoreError) -> (batch: Batch, moves: [RecipientMove]) {
        do {
            return try apply(command, to: batch, at: now)
        } catch {
            throw StoreError(error)
        }
    }
}
