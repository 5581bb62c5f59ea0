import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore: BatchStore {
    public func createBatch(_ batch: Batch, recipients: [NewRecipient]) async throws -> (Batch, RecipientAddResult) {
        try await transaction { connection in
            // FOR SHARE: a concurrent delete of the config (FOR UPDATE) waits for this batch, then
            // sees it and refuses; without the lock the batch could outlive a config deleted under it.
            let config = try await connection.row(
                """
                SELECT 1 FROM send_configs WHERE id = \(batch.sendConfigID.rawValue)
                    AND workspace_id = \(batch.workspaceID.rawValue) FOR SHARE
                """, logger: logger)
            guard config != nil else { throw StoreError.notFound("send config \(batch.sendConfigID)") }
            var stored = batch
            stored.counts = RecipientCounts()
            try await Self.insert(stored, connection, logger)
            let inserted = try await Self.insertRecipients(
                recipients, into: stored.id, of: stored.workspaceID, at: batch.createdAt, connection, logger)
            stored.counts.pending = inserted.added - inserted.suppressed
            stored.counts.suppressed = inserted.suppressed
            try await Self.writeState(of: stored, connection, logger)
            let result = RecipientAddResult(
                added: inserted.added, duplicates: recipients.count - inserted.added, suppressed: inserted.suppressed,
                total: inserted.added)
            return (stored, result)
        }
    }

    public func batch(_ id: Batch.ID, in workspace: Workspace.ID) async throws -> Batch? {
        try await read { connection in try await Self.fetchBatch(id, in: workspace, connection, logger) }
    }

    public func batches(in workspace: Workspace.ID, filter: BatchFilter, page: PageRequest) async throws -> Page<Batch> {
        let limit = Self.limit(of: page)
        let status = filter.status?.rawValue
        let module = filter.module?.rawValue
        return try await read { connection in
            // The cursor must name a batch of the workspace; it need not match the filter.
            if let after = page.after {
                let cursor = try await connection.row(
                    "SELECT 1 FROM batches WHERE workspace_id = \(workspace.rawValue) AND id = \(after)", logger: logger)
                guard cursor != nil else { throw StoreError.invalidCursor }
            }
            let rows = try await connection.rows(
                """
                SELECT * FROM batches WHERE workspace_id = \(workspace.rawValue)
                    AND (\(page.after)::text IS NULL OR id < \(page.after))
                    AND (\(status)::text IS NULL OR status = \(status))
                    AND (\(module)::text IS NULL OR module = \(module))
                ORDER BY id DESC LIMIT \(limit + 1)
                """, logger: logger)
            return Self.page(try rows.map(Batch.init(postgres:)), limit: limit, key: \.id.rawValue)
        }
    }

    public func recipients(
        of id: Batch.ID, in workspace: Workspace.ID, status: RecipientStatus?, page: PageRequest
    ) async throws -> Page<Recipient> {
        let limit = Self.limit(of: page)
        let status = status?.rawValue
        return try await read { connection in
            guard try await Self.fetchBatch(id, in: workspace, connection, logger) != nil else {
                throw StoreError.notFound("batch \(id)")
            }
            var afterRow: Int64 = 0
            if let after = page.after {
                guard let row = Recipient.ID(rawValue: after).row,
                    try await connection.row(
                        "SELECT 1 FROM recipients WHERE id = \(row) AND batch_id = \(id.rawValue)", logger: logger) != nil
                else { throw StoreError.invalidCursor }
                afterRow = row
            }
            let rows = try await connection.rows(
                """
                SELECT * FROM recipients WHERE batch_id = \(id.rawValue) AND id > \(afterRow)
                    AND (\(status)::text IS NULL OR status = \(status))
                ORDER BY id LIMIT \(limit + 1)
                """, logger: logger)
            return Self.page(try rows.map(Recipient.init(postgres:)), limit: limit, key: \.id.rawValue)
        }
    }

    static func fetchBatch(
        _ id: Batch.ID, in workspace: Workspace.ID, _ connection: PostgresConnection, _ logger: Logger, locking: Bool = false
    ) async throws -> Batch? {
        let lock = locking ? " FOR UPDATE" : ""
        return try await connection.row(
            PostgresQuery(
                unsafeSQL: "SELECT * FROM batches WHERE id = $1 AND workspace_id = $2" + lock,
                binds: try bindings(id.rawValue, workspace.rawValue)), logger: logger
        ).map(Batch.init(postgres:))
    }

    /// Two text parameters, for queries whose SQL is assembled.
    static func bindings(_ first: String, _ second: String) throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 2)
        try binds.append(first)
        try binds.append(second)
        return binds
    }

    static func insert(_ batch: Batch, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.execute(
            """
            INSERT INTO batches (id, workspace_id, name, send_config_id, module, provider, payload, status,
                dry_run, max_attempts, created_at, scheduled_at, started_at, completed_at, updated_at)
            VALUES (\(batch.id.rawValue), \(batch.workspaceID.rawValue), \(batch.name), \(batch.sendConfigID.rawValue),
                \(batch.module.rawValue), \(batch.provider.rawValue), \(batch.payload.jsonText())::jsonb,
                \(batch.status.rawValue), \(batch.dryRun), \(batch.maxAttempts), \(batch.createdAt), \(batch.scheduledAt),
                \(batch.startedAt), \(batch.completedAt), \(batch.updatedAt))
            """, logger: logger)
    }

    /// Writes what a state change may alter: status, timestamps and counts.
    static func writeState(of batch: Batch, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let c = batch.counts
        try await connection.execute(
            """
            UPDATE batches SET status = \(batch.status.rawValue), scheduled_at = \(batch.scheduledAt),
                started_at = \(batch.startedAt), completed_at = \(batch.completedAt), updated_at = \(batch.updatedAt),
                count_pending = \(c.pending), count_queued = \(c.queued), count_sending = \(c.sending),
                count_sent = \(c.sent), count_delivered = \(c.delivered), count_failed = \(c.failed),
                count_bounced = \(c.bounced), count_complained = \(c.complained), count_suppressed = \(c.suppressed),
                count_cancelled = \(c.cancelled)
            WHERE id = \(batch.id.rawValue)
            """, logger: logger)
    }

    /// The batch's recipients counted by status: the slow, true answer the counts cache.
    static func countRecipients(of id: Batch.ID, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> RecipientCounts
    {
        var counts = RecipientCounts()
        let rows = try await connection.rows(
            "SELECT status, count(*) AS n FROM recipients WHERE batch_id = \(id.rawValue) GROUP BY status", logger: logger)
        for row in rows {
            counts[try row.enumValue("status", as: RecipientStatus.self)] = try row.required("n", as: Int.self)
        }
        return counts
    }
}
