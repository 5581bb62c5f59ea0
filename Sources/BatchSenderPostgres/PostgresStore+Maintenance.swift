import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func rescueLeases(expiringBy: Date, now: Date) async throws -> Int {
        try await transaction { connection in
            let batchIDs = try await connection.rows(
                """
                SELECT DISTINCT batch_id FROM recipients WHERE status = 'sending' AND lease_expires_at <= \(expiringBy)
                """, logger: logger
            ).map { Batch.ID(rawValue: try $0.required("batch_id")) }
            guard !batchIDs.isEmpty else { return 0 }
            var batches = try await Self.lockBatches(batchIDs, connection, logger)
            // Re-read under the batch locks: a completion may have ended some leases meanwhile.
            let expired = try await connection.rows(
                """
                SELECT id, batch_id, attempts FROM recipients
                WHERE status = 'sending' AND lease_expires_at <= \(expiringBy) AND batch_id = ANY(\(batchIDs.map(\.rawValue)))
                FOR UPDATE
                """, logger: logger)
            var updates: [[String: JSONValue]] = []
            for row in expired {
                let batchID = Batch.ID(rawValue: try row.required("batch_id"))
                guard var batch = batches[batchID] else { continue }
                let (next, error) = LeaseRescue.outcome(
                    attempts: try row.required("attempts"), maxAttempts: batch.maxAttempts,
                    batchCancelled: batch.status == .cancelled)
                updates.append([
                    "id": .int(try row.required("id", as: Int.self)), "status": .string(next.rawValue),
                    "last_error": error.recordValue,
                ])
                batch.counts.move(1, from: .sending, to: next)
                batch.updatedAt = now
                batches[batchID] = batch
            }
            guard !updates.isEmpty else { return 0 }
            // The lease token stays: a call that outlived its lease may still report (`complete`).
            try await connection.execute(
                """
                UPDATE recipients r SET status = u.status, next_attempt_at = \(now),
                    last_error = COALESCE(u.last_error, r.last_error), updated_at = \(now), lease_expires_at = NULL
                FROM jsonb_to_recordset(\(Self.recordset(updates))::jsonb) AS u(id bigint, status text, last_error text)
                WHERE r.id = u.id
                """, logger: logger)
            for id in batches.keys.sorted() {
                guard let batch = batches[id] else { continue }
                try await Self.writeState(of: BatchLifecycle.settle(batch, at: now), connection, logger)
            }
            return updates.count
        }
    }

    public func startScheduledBatches(now: Date) async throws -> [Batch.ID] {
        try await transaction { connection in
            // SKIP LOCKED: a batch being paused or cancelled right now is started next round.
            let due = try await connection.rows(
                """
                SELECT * FROM batches WHERE status = 'scheduled' AND scheduled_at <= \(now) ORDER BY id
                FOR UPDATE SKIP LOCKED
                """, logger: logger
            ).map(Batch.init(postgres:))
            for var batch in due {
                let moved = try await Self.move(
                    RecipientMove(from: .pending, to: .queued, count: batch.counts.pending), in: batch.id, at: now,
                    connection, logger)
                batch.counts.move(moved, from: .pending, to: .queued)
                batch = BatchLifecycle.scheduleReached(batch)
                batch.updatedAt = now
                try await Self.writeState(of: BatchLifecycle.settle(batch, at: now), connection, logger)
            }
            return due.map(\.id)
        }
    }

    public func repairStuckBatches(now: Date) async throws -> [Batch.ID] {
        // Find suspects without locks first; lock only what looks wrong.
        let suspects = try await read { connection in
            let open = try await connection.rows(
                """
                SELECT * FROM batches
                WHERE status IN ('queued', 'processing', 'paused') OR (status = 'cancelled' AND completed_at IS NULL)
                ORDER BY id
                """, logger: logger
            ).map(Batch.init(postgres:))
            var suspects: [Batch.ID] = []
            for batch in open where try await Self.needsRepair(batch, at: now, connection, logger) != nil {
                suspects.append(batch.id)
            }
            return suspects
        }
        guard !suspects.isEmpty else { return [] }
        return try await transaction { connection in
            var repaired: [Batch.ID] = []
            for (id, batch) in try await Self.lockBatches(suspects, connection, logger).sorted(by: { $0.key < $1.key }) {
                guard var fixed = try await Self.needsRepair(batch, at: now, connection, logger) else { continue }
                fixed.updatedAt = now
                try await Self.writeState(of: fixed, connection, logger)
                repaired.append(id)
            }
            return repaired
        }
    }

    /// The batch with counts recounted from its rows and settled, when that differs from it.
    private static func needsRepair(_ batch: Batch, at now: Date, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> Batch?
    {
        var fixed = batch
        fixed.counts = try await countRecipients(of: batch.id, connection, logger)
        fixed = BatchLifecycle.settle(fixed, at: now)
        return fixed == batch ? nil : fixed
    }

    /// One statement: insert, renew (same holder) or take over (expired), else nothing.
    public func acquireLeadership(_ name: String, holder: String, now: Date, ttl: TimeInterval) async throws -> Bool {
        try await transaction { connection in
            try await connection.row(
                """
                INSERT INTO leader_leases (name, holder, expires_at) VALUES (\(name), \(holder), \(now.addingTimeInterval(ttl)))
                ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                WHERE leader_leases.holder = EXCLUDED.holder OR leader_leases.expires_at <= \(now)
                RETURNING name
                """, logger: logger) != nil
        }
    }
}
