import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    public func createBatch(_ batch: Batch, recipients: [NewRecipient]) async throws -> (Batch, RecipientAddResult) {
        try await write { db in
            guard try Row.fetchOne(
                    db, sql: "SELECT 1 FROM send_configs WHERE id = ? AND workspace_id = ?",
                    arguments: [batch.sendConfigID.rawValue, batch.workspaceID.rawValue]) != nil
            else { throw StoreError.notFound("send config \(batch.sendConfigID)") }
            var stored = batch
            stored.counts = RecipientCounts()
            try Self.insert(stored, db)
            let added = try RecipientInserter(db: db, batch: stored, at: batch.createdAt).insert(recipients)
            stored.counts = try Self.countRecipients(of: stored.id, db)
            try Self.writeState(of: stored, db)
            let result = RecipientAddResult(
                added: added, duplicates: recipients.count - added, suppressed: stored.counts.suppressed,
                total: stored.counts.total)
            return (stored, result)
        }
    }

    public func batch(_ id: Batch.ID, in workspace: Workspace.ID) async throws -> Batch? {
        try await read { db in try Self.fetchBatch(id, in: workspace, db) }
    }

    public func batches(in workspace: Workspace.ID, filter: BatchFilter, page: PageRequest) async throws -> Page<Batch> {
        try await read { db in
            // The cursor must name a batch of the workspace; it need not match the filter.
            try Self.requireCursor(
                db, page.after, sql: "SELECT 1 FROM batches WHERE workspace_id = ? AND id = ?",
                arguments: [workspace.rawValue])
            let limit = max(page.limit, 1)
            let status = filter.status?.rawValue
            let module = filter.module?.rawValue
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM batches WHERE workspace_id = ? AND (? IS NULL OR id < ?)
                        AND (? IS NULL OR status = ?) AND (? IS NULL OR module = ?)
                    ORDER BY id DESC LIMIT ?
                    """,
                arguments: [workspace.rawValue, page.after, page.after, status, status, module, module, limit + 1])
            return Self.page(try rows.map(Batch.init(row:)), limit: limit, key: \.id.rawValue)
        }
    }

    public func apply(_ command: BatchCommand, to id: Batch.ID, in workspace: Workspace.ID, at now: Date) async throws
        -> Batch
    {
        let (batch, drifted) = try await write { db -> (Batch, Bool) in
            guard let current = try Self.fetchBatch(id, in: workspace, db) else { throw StoreError.notFound("batch \(id)") }
            if case .retry = command,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM send_configs WHERE id = ?", arguments: [current.sendConfigID.rawValue]) != true
            {
                throw StoreError.sendConfigGone(current.sendConfigID)
            }
            let (next, moves) = try BatchLifecycle.applying(command, to: current, at: now)
            var drifted = false
            for move in moves {
                var assignments = ["status = ?", "updated_at = ?"]
                var arguments: StatementArguments = [move.to.rawValue, now.unixTime]
                if move.to == .queued {
                    assignments.append("next_attempt_at = ?")  // due now
                    arguments += [now.unixTime]
                }
                if move.resetsAttempts {
                    // Recipient.move's rule: a fresh budget and key, no old claim or message.
                    assignments += [
                        "attempts = 0", "retry_generation = retry_generation + 1", "provider_message_id = NULL",
                        "lease_token = NULL",
                    ]
                }
                arguments += [id.rawValue, move.from.rawValue]
                let sql = "UPDATE recipients SET \(assignments.joined(separator: ", ")) WHERE batch_id = ? AND status = ?"
                try db.cachedStatement(sql: sql).execute(arguments: arguments)
                drifted = drifted || db.changesCount != move.count
            }
            var result = next
            if drifted {
                // The maintained counts disagreed with the rows: trust the rows.
                result.counts = try Self.countRecipients(of: id, db)
                result = BatchLifecycle.settle(result, at: now)
            }
            try Self.writeState(of: result, db)
            return (result, drifted)
        }
        if drifted { onCountDrift?(id) }
        return batch
    }

    static func fetchBatch(_ id: Batch.ID, in workspace: Workspace.ID, _ db: Database) throws -> Batch? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM batches WHERE id = ? AND workspace_id = ?", arguments: [id.rawValue, workspace.rawValue]
        ).map(Batch.init(row:))
    }

    /// The batch's recipients counted by status: the slow, true answer the counts cache.
    static func countRecipients(of id: Batch.ID, _ db: Database) throws -> RecipientCounts {
        var counts = RecipientCounts()
        let rows = try Row.fetchAll(
            db, sql: "SELECT status, count(*) AS n FROM recipients WHERE batch_id = ? GROUP BY status",
            arguments: [id.rawValue])
        for row in rows {
            counts[try row.enumValue("status", as: RecipientStatus.self)] = try row.required("n", as: Int.self)
        }
        return counts
    }

    static func insert(_ batch: Batch, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO batches (id, workspace_id, name, send_config_id, module, provider, payload, status,
                    dry_run, max_attempts, created_at, scheduled_at, started_at, completed_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                batch.id.rawValue, batch.workspaceID.rawValue, batch.name, batch.sendConfigID.rawValue,
                batch.module.rawValue, batch.provider.rawValue, batch.payload.jsonText(), batch.status.rawValue,
                batch.dryRun, batch.maxAttempts, batch.createdAt.unixTime, batch.scheduledAt?.unixTime,
                batch.startedAt?.unixTime, batch.completedAt?.unixTime, batch.updatedAt.unixTime,
            ])
    }

    /// Writes what a state change may alter: status, timestamps and counts.
    static func writeState(of batch: Batch, _ db: Database) throws {
        let countAssignments = RecipientCounts.columns.map { "\($0) = ?" }.joined(separator: ", ")
        var arguments: StatementArguments = [
            batch.status.rawValue, batch.scheduledAt?.unixTime, batch.startedAt?.unixTime,
            batch.completedAt?.unixTime, batch.updatedAt.unixTime,
        ]
        arguments += StatementArguments(RecipientStatus.allCases.map { batch.counts[$0] })
        arguments += [batch.id.rawValue]
        try db.cachedStatement(
            sql: """
                UPDATE batches SET status = ?, scheduled_at = ?, started_at = ?, completed_at = ?, updated_at = ?,
                    \(countAssignments)
                WHERE id = ?
                """
        ).execute(arguments: arguments)
    }
}
