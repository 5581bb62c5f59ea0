import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    /// Streams an upload into the batch, all or nothing, without holding it in memory or holding
    /// the write lock for the whole upload: each chunk is staged in its own short transaction,
    /// then one transaction moves the staged rows into `recipients`. Whatever fails, the staged
    /// rows are deleted (see `UploadStaging`).
    public func addRecipients(
        to id: Batch.ID, in workspace: Workspace.ID,
        chunks: AsyncThrowingStream<[NewRecipient], any Error>,
        maxRecipients: Int, at now: Date
    ) async throws -> RecipientAddResult {
        let upload = try await write { db -> Int64 in
            _ = try Self.requireDraft(id, in: workspace, db)  // fail fast, before reading the upload
            return try UploadStaging.begin(batch: id.rawValue, at: now, db)
        }
        do {
            var staged: Int64 = 0
            for try await chunk in chunks where !chunk.isEmpty {
                let first = staged
                try await write { db in try UploadStaging.stage(chunk, upload: upload, firstSeq: first, db) }
                staged += Int64(chunk.count)
            }
            // A cancelled task ends the stream early, as if complete: never commit a partial upload.
            try Task.checkCancellation()
            let total = staged
            return try await write { db in
                try Self.commitUpload(upload, staged: total, to: id, in: workspace, maxRecipients: maxRecipients, at: now, db)
            }
        } catch {
            await discardUpload(upload)
            throw error
        }
    }

    public func recipients(
        of id: Batch.ID, in workspace: Workspace.ID, status: RecipientStatus?, page: PageRequest
    ) async throws -> Page<Recipient> {
        try await read { db in
            guard try Self.fetchBatch(id, in: workspace, db) != nil else { throw StoreError.notFound("batch \(id)") }
            var afterRow: Int64 = 0
            if let after = page.after {
                guard let row = Recipient.ID(rawValue: after).row,
                    try Row.fetchOne(
                        db, sql: "SELECT 1 FROM recipients WHERE id = ? AND batch_id = ?", arguments: [row, id.rawValue])
                        != nil
                else { throw StoreError.invalidCursor }
                afterRow = row
            }
            let limit = max(page.limit, 1)
            let rows: [Row]
            if let status {
                rows = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM recipients WHERE batch_id = ? AND status = ? AND id > ? ORDER BY id LIMIT ?",
                    arguments: [id.rawValue, status.rawValue, afterRow, limit + 1])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM recipients WHERE batch_id = ? AND id > ? ORDER BY id LIMIT ?",
                    arguments: [id.rawValue, afterRow, limit + 1])
            }
            return Self.page(try rows.map(Recipient.init(row:)), limit: limit, key: \.id.rawValue)
        }
    }

    /// The batch, when it exists in `workspace` and is a draft.
    static func requireDraft(_ id: Batch.ID, in workspace: Workspace.ID, _ db: Database) throws -> Batch {
        guard let batch = try fetchBatch(id, in: workspace, db) else { throw StoreError.notFound("batch \(id)") }
        guard batch.status == .draft else {
            throw StoreError.conflict("batch is \(batch.status.rawValue); recipients can only be added to a draft")
        }
        return batch
    }

    /// The commit of an upload: one transaction that re-checks the batch, moves the staged rows
    /// into `recipients` in upload order, enforces the limit and updates the counts.
    static func commitUpload(
        _ upload: Int64, staged: Int64, to id: Batch.ID, in workspace: Workspace.ID, maxRecipients: Int, at now: Date,
        _ db: Database
    ) throws -> RecipientAddResult {
        var batch = try requireDraft(id, in: workspace, db)
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO recipients (batch_id, to_address, normalized_to, variables, status, attempts, updated_at)
                SELECT ?2, s.to_address, s.normalized_to, s.variables,
                    \(RecipientInserter.statusExpression(normalized: "s.normalized_to")), 0, ?3
                FROM temp.recipient_staging s WHERE s.upload_id = ?4 ORDER BY s.seq
                """, arguments: [workspace.rawValue, id.rawValue, now.unixTime, upload])
        let added = db.changesCount
        let total = batch.counts.total + added
        guard total <= maxRecipients else {
            throw StoreError.unprocessable("batch would have \(total) recipients; the limit is \(maxRecipients)")
        }
        // A draft's recipients are only pending or suppressed, so one indexed count tells both.
        let suppressedNow = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM recipients WHERE batch_id = ? AND status = 'suppressed'",
            arguments: [id.rawValue]) ?? 0
        let suppressed = suppressedNow - batch.counts.suppressed
        batch.counts.suppressed += suppressed
        batch.counts.pending += added - suppressed
        batch.updatedAt = now
        try writeState(of: batch, db)
        try UploadStaging.delete(upload, db)
        return RecipientAddResult(
            added: added, duplicates: Int(staged) - added, suppressed: suppressed, total: batch.counts.total)
    }

    /// Deletes an upload's staged rows. Runs detached so that it also runs when the upload's task
    /// was cancelled; should it still fail, `purgeAbandonedUploads` or a restart removes them.
    func discardUpload(_ upload: Int64) async {
        let pool = self.pool
        _ = await Task.detached {
            try await pool.write { db in try UploadStaging.delete(upload, db) }
        }.result
    }
}
