import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// `BatchLifecycle.apply` under the batch's row lock: the batch row and its recipients' moves
    /// in one transaction. Concurrent commands on one batch take turns on the lock, so each starts
    /// from the counts the previous one wrote.
    public func apply(_ command: BatchCommand, to id: Batch.ID, in workspace: Workspace.ID, at now: Date) async throws
        -> Batch
    {
        try await transaction { connection in
            guard let current = try await Self.fetchBatch(id, in: workspace, connection, logger, locking: true) else {
                throw StoreError.notFound("batch \(id)")
            }
            if case .retry = command {
                // FOR SHARE: the config cannot be deleted until the re-queued recipients are committed.
                let config = try await connection.row(
                    "SELECT 1 FROM send_configs WHERE id = \(current.sendConfigID.rawValue) FOR SHARE", logger: logger)
                if config == nil { throw StoreError.sendConfigGone(current.sendConfigID) }
            }
            let (next, moves) = try BatchLifecycle.applying(command, to: current, at: now)
            var drifted = false
            for move in moves {
                let moved = try await Self.move(move, in: id, at: now, connection, logger)
                drifted = drifted || moved != move.count
            }
            var result = next
            if drifted {
                // The maintained counts disagreed with the rows: trust the rows.
                logger.critical("batch counts had drifted from its recipients and were recomputed", metadata: ["batch.id": "\(id)"])
                result.counts = try await Self.countRecipients(of: id, connection, logger)
                result = BatchLifecycle.settle(result, at: now)
            }
            try await Self.writeState(of: result, connection, logger)
            return result
        }
    }

    /// Moves every recipient of the batch in `move.from` to `move.to`; returns how many moved.
    static func move(
        _ move: RecipientMove, in batch: Batch.ID, at now: Date, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Int {
        // Queued recipients are due now; a retry gives a fresh budget and key, no old claim or message
        // (Recipient.move's rule).
        let row = try await connection.row(
            """
            WITH moved AS (
                UPDATE recipients SET status = \(move.to.rawValue), updated_at = \(now),
                    next_attempt_at = CASE WHEN \(move.to == .queued) THEN \(now) ELSE next_attempt_at END,
                    attempts = CASE WHEN \(move.resetsAttempts) THEN 0 ELSE attempts END,
                    retry_generation = retry_generation + CASE WHEN \(move.resetsAttempts) THEN 1 ELSE 0 END,
                    provider_message_id = CASE WHEN \(move.resetsAttempts) THEN NULL ELSE provider_message_id END,
                    lease_token = CASE WHEN \(move.resetsAttempts) THEN NULL ELSE lease_token END
                WHERE batch_id = \(batch.rawValue) AND status = \(move.from.rawValue)
                RETURNING 1
            )
            SELECT count(*) AS moved FROM moved
            """, logger: logger)
        return try row?.required("moved", as: Int.self) ?? 0
    }
}
