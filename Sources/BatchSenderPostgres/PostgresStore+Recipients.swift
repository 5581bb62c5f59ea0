import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Streams an upload into the batch in ONE transaction on one connection: each chunk is
    /// inserted as it arrives (memory stays bounded by a chunk), and the commit re-checks the
    /// batch under a row lock. Anything thrown — by the stream, the limit or the re-check — rolls
    /// the whole upload back, so nothing partial is ever visible. Other writers are not blocked
    /// meanwhile: the batch row is locked only at the end.
    public func addRecipients(
        to id: Batch.ID, in workspace: Workspace.ID,
        chunks: AsyncThrowingStream<[NewRecipient], any Error>,
        maxRecipients: Int, at now: Date
    ) async throws -> RecipientAddResult {
        try await transaction { connection in
            _ = try await Self.requireDraft(id, in: workspace, locking: false, connection, logger)  // fail fast
            var offered = 0
            var added = 0
            var suppressed = 0
            for try await chunk in chunks where !chunk.isEmpty {
                let inserted = try await Self.insertRecipients(chunk, into: id, of: workspace, at: now, connection, logger)
                offered += chunk.count
                added += inserted.added
                suppressed += inserted.suppressed
            }
            // A cancelled task ends the stream early, as if complete: never commit a partial upload.
            try Task.checkCancellation()
            var batch = try await Self.requireDraft(id, in: workspace, locking: true, connection, logger)
            let total = batch.counts.total + added
            guard total <= maxRecipients else {
                throw StoreError.unprocessable("batch would have \(total) recipients; the limit is \(maxRecipients)")
            }
            batch.counts.pending += added - suppressed
            batch.counts.suppressed += suppressed
            batch.updatedAt = now
            try await Self.writeState(of: batch, connection, logger)
            return RecipientAddResult(added: added, duplicates: offered - added, suppressed: suppressed, total: total)
        }
    }

    /// The batch, when it exists in `workspace` and is a draft; `locking` holds its row until commit.
    static func requireDraft(
        _ id: Batch.ID, in workspace: Workspace.ID, locking: Bool, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Batch {
        guard let batch = try await fetchBatch(id, in: workspace, connection, logger, locking: locking) else {
            throw StoreError.notFound("batch \(id)")
        }
        guard batch.status == .draft else {
            throw StoreError.conflict("batch is \(batch.status.rawValue); recipients can only be added to a draft")
        }
        return batch
    }

    /// Inserts `recipients` into the batch with one set-based statement (`unnest` of three arrays)
    /// and returns how many were new and how many of those are suppressed. `ON CONFLICT DO
    /// NOTHING` against `UNIQUE (batch_id, normalized_to)` drops duplicates, within the input or
    /// against stored rows, the first occurrence winning; rows are inserted in input order, so ids
    /// follow it. The workspace's suppression list decides each new row's status.
    static func insertRecipients(
        _ recipients: [NewRecipient], into batch: Batch.ID, of workspace: Workspace.ID, at now: Date,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> (added: Int, suppressed: Int) {
        guard !recipients.isEmpty else { return (0, 0) }
        let addresses = recipients.map(\.to)
        let normalized = recipients.map(\.normalizedTo)
        let variables = recipients.map { JSONWriter.encode($0.variables) }
        let row = try await connection.row(
            """
            WITH inserted AS (
                INSERT INTO recipients (batch_id, to_address, normalized_to, variables, status, attempts, updated_at)
                SELECT \(batch.rawValue), r.to_address, r.normalized_to, r.variables::jsonb,
                    CASE WHEN EXISTS (
                        SELECT 1 FROM suppressions s WHERE s.workspace_id = \(workspace.rawValue) AND s.address = r.normalized_to
                    ) THEN 'suppressed' ELSE 'pending' END,
                    0, \(now)
                FROM unnest(\(addresses)::text[], \(normalized)::text[], \(variables)::text[])
                    WITH ORDINALITY AS r(to_address, normalized_to, variables, ord)
                ORDER BY r.ord
                ON CONFLICT (batch_id, normalized_to) DO NOTHING
                RETURNING status
            )
            SELECT count(*) AS added, count(*) FILTER (WHERE status = 'suppressed') AS suppressed FROM inserted
            """, logger: logger)
        guard let row else { throw PostgresStoreError.corruptRow("recipients") }
        return (try row.required("added", as: Int.self), try row.required("suppressed", as: Int.self))
    }
}
