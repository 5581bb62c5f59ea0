import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    public func rescueLeases(expiringBy: Date, now: Date) async throws -> Int {
        try await write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id, r.batch_id, r.attempts FROM recipients r
                    WHERE r.status = 'sending' AND r.lease_expires_at <= ?
                    """,
                arguments: [expiringBy.unixTime])
            guard !rows.isEmpty else { return 0 }
            var batches: [Batch.ID: Batch] = [:]
            // The lease token stays: a call that outlived its lease may still report (DeliveryQueue.complete).
            let requeue = try db.cachedStatement(
                sql: """
                    UPDATE recipients SET status = ?, next_attempt_at = ?, last_error = COALESCE(?, last_error),
                        updated_at = ?, lease_expires_at = NULL
                    WHERE id = ?
                    """)
            for row in rows {
                let batchID = Batch.ID(rawValue: try row.required("batch_id"))
                guard var batch = try batches[batchID] ?? Self.fetchBatchForDelivery(batchID, db) else { continue }
                let (next, error) = LeaseRescue.outcome(
                    attempts: try row.required("attempts"), maxAttempts: batch.maxAttempts,
                    batchCancelled: batch.status == .cancelled)
                try requeue.execute(arguments: [
                    next.rawValue, now.unixTime, error, now.unixTime, try row.required("id", as: Int64.self),
                ])
                batch.counts.move(1, from: .sending, to: next)
                batch.updatedAt = now
                batches[batchID] = batch
            }
            for batch in batches.values { try Self.writeState(of: BatchLifecycle.settle(batch, at: now), db) }
            return rows.count
        }
    }

    public func startScheduledBatches(now: Date) async throws -> [Batch.ID] {
        try await write { db in
            let due = try Row.fetchAll(
                db, sql: "SELECT * FROM batches WHERE status = 'scheduled' AND scheduled_at <= ? ORDER BY id",
                arguments: [now.unixTime]
            ).map(Batch.init(row:))
            for var batch in due {
                try db.execute(
                    sql: """
                        UPDATE recipients SET status = 'queued', next_attempt_at = ?, updated_at = ?
                        WHERE batch_id = ? AND status = 'pending'
                        """,
                    arguments: [now.unixTime, now.unixTime, batch.id.rawValue])
                batch.counts.move(db.changesCount, from: .pending, to: .queued)
                batch = BatchLifecycle.scheduleReached(batch)
                batch.updatedAt = now
                try Self.writeState(of: BatchLifecycle.settle(batch, at: now), db)
            }
            return due.map(\.id)
        }
    }

    public func repairStuckBatches(now: Date) async throws -> [Batch.ID] {
        // Count in a read transaction first: the write lock is taken only if something is wrong.
        let suspects = try await read { db in
            let open = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM batches
                    WHERE status IN ('queued', 'processing', 'paused') OR (status = 'cancelled' AND completed_at IS NULL)
                    """
            ).map(Batch.init(row:))
            return try open.filter { batch in
                let counted = try Self.countRecipients(of: batch.id, db)
                var fixed = batch
                fixed.counts = counted
                return counted != batch.counts || BatchLifecycle.settle(fixed, at: now) != fixed
            }.map(\.id)
        }
        guard !suspects.isEmpty else { return [] }
        return try await write { db in
            var repaired: [Batch.ID] = []
            for id in suspects {
                guard let batch = try Self.fetchBatchForDelivery(id, db) else { continue }
                var fixed = batch
                fixed.counts = try Self.countRecipients(of: id, db)
                fixed = BatchLifecycle.settle(fixed, at: now)
                guard fixed != batch else { continue }
                fixed.updatedAt = now
                try Self.writeState(of: fixed, db)
                repaired.append(id)
            }
            return repaired
        }
    }

    public func acquireLeadership(_ name: String, holder: String, now: Date, ttl: TimeInterval) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO leader_leases (name, holder, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                    WHERE leader_leases.holder = excluded.holder OR leader_leases.expires_at <= ?
                    """,
                arguments: [name, holder, now.addingTimeInterval(ttl).unixTime, now.unixTime])
            return db.changesCount > 0
        }
    }

    public func batchForDelivery(_ id: Batch.ID) async throws -> Batch? {
        try await read { db in try Self.fetchBatchForDelivery(id, db) }
    }

    public func sendConfigForDelivery(_ id: SendConfig.ID) async throws -> SendConfig? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM send_configs WHERE id = ?", arguments: [id.rawValue])
                .map(SendConfig.init(row:))
        }
    }

    public func batchStatuses(_ ids: [Batch.ID]) async throws -> [Batch.ID: BatchStatus] {
        guard !ids.isEmpty else { return [:] }
        return try await read { db in
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, status FROM batches WHERE id IN (\(placeholders))",
                arguments: StatementArguments(ids.map(\.rawValue)))
            var statuses: [Batch.ID: BatchStatus] = [:]
            for row in rows {
                statuses[Batch.ID(rawValue: try row.required("id"))] = try row.enumValue("status", as: BatchStatus.self)
            }
            return statuses
        }
    }

    public func recordSandboxMessages(_ messages: [SandboxMessage]) async throws {
        guard !messages.isEmpty else { return }
        try await write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO sandbox_messages
                        (batch_id, recipient_id, send_config_id, provider_message_id, content, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
            for m in messages {
                try insert.execute(arguments: [
                    m.batchID.rawValue, m.recipientID.row ?? 0, m.sendConfigID.rawValue, m.providerMessageID,
                    m.content.jsonText(), m.createdAt.unixTime,
                ])
            }
        }
    }

    public func sandboxMessages(of batch: Batch.ID, limit: Int) async throws -> [SandboxMessage] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM sandbox_messages WHERE batch_id = ? ORDER BY id LIMIT ?",
                arguments: [batch.rawValue, limit]
            ).map { row in
                SandboxMessage(
                    recipientID: Recipient.ID(row: try row.required("recipient_id")), batchID: batch,
                    sendConfigID: SendConfig.ID(rawValue: try row.required("send_config_id")),
                    providerMessageID: try row.required("provider_message_id"),
                    content: JSONValue.parse(try row.required("content")) ?? .null, createdAt: try row.date("created_at"))
            }
        }
    }

    public func queueDepth() async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count_queued + count_sending), 0) FROM batches") ?? 0
        }
    }

    public func batchCountsByStatus() async throws -> [BatchStatus: Int] {
        try await read { db in
            var counts: [BatchStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM batches GROUP BY status") {
                counts[try row.enumValue("status", as: BatchStatus.self)] = try row.required("n", as: Int.self)
            }
            return counts
        }
    }
}
