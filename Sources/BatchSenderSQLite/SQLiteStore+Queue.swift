import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    static let activeStatusList = "('queued', 'processing')"

    public func sendConfigsWithDueWork(now: Date) async throws -> [SendConfig.ID] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT b.send_config_id FROM batches b
                    WHERE b.status IN \(Self.activeStatusList) AND b.count_queued > 0
                      AND EXISTS (SELECT 1 FROM recipients r
                                  WHERE r.batch_id = b.id AND r.status = 'queued' AND r.next_attempt_at <= ?)
                    ORDER BY b.send_config_id
                    """,
                arguments: [now.unixTime]
            ).map(SendConfig.ID.init(rawValue:))
        }
    }

    public func claim(sendConfig: SendConfig.ID, limit: Int, now: Date, leaseDuration: TimeInterval) async throws
        -> [ClaimedDelivery]
    {
        guard limit > 0 else { return [] }
        let token = Int64.random(in: 1...Int64.max)
        let expiry = now.addingTimeInterval(leaseDuration)
        return try await write { db in
            let active = try db.cachedStatement(
                sql: """
                    SELECT * FROM batches WHERE send_config_id = ? AND status IN \(Self.activeStatusList)
                      AND count_queued > 0 ORDER BY id
                    """)
            let batches = try Row.fetchAll(active, arguments: [sendConfig.rawValue]).map(Batch.init(row:))
            var claimed: [ClaimedDelivery] = []
            // Fair shares: every active batch of the config gets up to an equal part of the
            // claim before any batch gets more, so one huge batch cannot starve newer ones.
            var remaining = batches
            while claimed.count < limit, !remaining.isEmpty {
                let share = max(1, (limit - claimed.count + remaining.count - 1) / remaining.count)
                var stillDue: [Batch] = []
                for batch in remaining where claimed.count < limit {
                    let taken = try Self.claim(
                        from: batch, limit: min(share, limit - claimed.count), token: token, expiry: expiry, now: now, db)
                    claimed += taken.claimed
                    if taken.more { stillDue.append(taken.batch) }
                }
                remaining = stillDue
            }
            return claimed
        }
    }

    /// Claims up to `limit` due recipients of one batch and writes its counts; `more` tells
    /// whether the batch may have further due recipients.
    private static func claim(
        from batch: Batch, limit: Int, token: Int64, expiry: Date, now: Date, _ db: Database
    ) throws -> (claimed: [ClaimedDelivery], batch: Batch, more: Bool) {
        var batch = batch
        let due = try db.cachedStatement(
            sql: """
                SELECT r.id, r.to_address, r.variables, r.attempts, r.retry_generation,
                       EXISTS (SELECT 1 FROM suppressions s
                               WHERE s.workspace_id = ? AND s.address = r.normalized_to) AS suppressed
                FROM recipients r
                WHERE r.batch_id = ? AND r.status = 'queued' AND r.next_attempt_at <= ?
                ORDER BY r.next_attempt_at LIMIT ?
                """)
        let rows = try Row.fetchAll(due, arguments: [batch.workspaceID.rawValue, batch.id.rawValue, now.unixTime, limit])
        guard !rows.isEmpty else { return ([], batch, false) }
        let take = try db.cachedStatement(
            sql: """
                UPDATE recipients SET status = 'sending', attempts = attempts + 1, lease_token = ?,
                    lease_expires_at = ?, updated_at = ? WHERE id = ?
                """)
        let suppress = try db.cachedStatement(
            sql: "UPDATE recipients SET status = 'suppressed', lease_token = NULL, updated_at = ? WHERE id = ?")
        var claimed: [ClaimedDelivery] = []
        for row in rows {
            let rowID: Int64 = try row.required("id")
            if try row.required("suppressed", as: Bool.self) {
                try suppress.execute(arguments: [now.unixTime, rowID])
                batch.counts.move(1, from: .queued, to: .suppressed)
                continue
            }
            try take.execute(arguments: [token, expiry.unixTime, now.unixTime, rowID])
            batch.counts.move(1, from: .queued, to: .sending)
            claimed.append(ClaimedDelivery(
                recipientID: Recipient.ID(row: rowID), batchID: batch.id, to: try row.required("to_address"),
                variables: try row.jsonObject("variables"), attempt: try row.required("attempts", as: Int.self) + 1,
                maxAttempts: batch.maxAttempts, dryRun: batch.dryRun, leaseToken: token, leaseExpiresAt: expiry,
                generation: try row.required("retry_generation")))
        }
        batch = BatchLifecycle.claimed(batch, at: now)
        batch.updatedAt = now
        batch = BatchLifecycle.settle(batch, at: now)
        try writeState(of: batch, db)
        return (claimed, batch, rows.count == limit)
    }

    public func extendLeases(_ held: [(Recipient.ID, leaseToken: Int64)], until: Date) async throws {
        let rows = held.compactMap { id, token in id.row.map { ($0, token) } }
        guard !rows.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: "UPDATE recipients SET lease_expires_at = ? WHERE id = ? AND lease_token = ? AND status = 'sending'")
            for (row, token) in rows { try statement.execute(arguments: [until.unixTime, row, token]) }
        }
    }

    public func complete(_ completions: [DeliveryCompletion], now: Date) async throws -> CompletionReport {
        guard !completions.isEmpty else { return CompletionReport() }
        return try await write { db in
            var report = CompletionReport()
            var batches: [Batch.ID: Batch] = [:]
            // Batches not complete before this transaction (events applied on the way may settle them).
            var open: Set<Batch.ID> = []
            let update = try db.cachedStatement(
                sql: """
                    UPDATE recipients SET status = ?, attempts = ?, last_error = ?, provider_message_id = ?,
                        next_attempt_at = ?, sent_at = ?, delivered_at = ?, updated_at = ?,
                        segments = COALESCE(?, segments), lease_token = NULL, lease_expires_at = NULL
                    WHERE id = ?
                    """)
            // Variables are not needed to record an outcome: `'{}'` spares parsing their JSON.
            let held = try db.cachedStatement(
                sql: """
                    SELECT id, batch_id, to_address, normalized_to, '{}' AS variables, status, attempts, last_error,
                        provider_message_id, next_attempt_at, sent_at, delivered_at, updated_at
                    FROM recipients WHERE id = ? AND lease_token = ?
                      AND status IN ('sending', 'queued', 'cancelled', 'failed')
                    """)
            // Cheap (a partial index, nearly always empty): are events waiting for a message id?
            let pending = try db.cachedStatement(
                sql: "SELECT 1 FROM provider_events WHERE message_id = ? AND recipient_id IS NULL LIMIT 1")
            for completion in completions {
                guard let rowID = completion.recipientID.row,
                    let row = try Row.fetchOne(held, arguments: [rowID, completion.leaseToken])
                else {
                    report.lost.append(completion.recipientID)
                    continue
                }
                var recipient = try Recipient(row: row)
                let before = recipient.status
                guard var batch = try batches[recipient.batchID] ?? Self.fetchBatchForDelivery(recipient.batchID, db) else {
                    report.lost.append(completion.recipientID)
                    continue
                }
                if batch.completedAt == nil { open.insert(batch.id) }
                let next = recipient.resolve(completion.resolution, batchCancelled: batch.status == .cancelled, at: now)
                try update.execute(arguments: [
                    next.rawValue, recipient.attempts, recipient.lastError, recipient.providerMessageID,
                    recipient.nextAttemptAt?.unixTime, recipient.sentAt?.unixTime, recipient.deliveredAt?.unixTime,
                    now.unixTime, completion.segments, rowID,
                ])
                batch.counts.move(1, from: before, to: next)
                batch.updatedAt = now
                batches[batch.id] = batch
                report.applied += 1
                if before != .sending { report.late += 1 }
                if case .optedOut = completion.resolution {
                    try db.cachedStatement(
                        sql: "INSERT OR IGNORE INTO suppressions (workspace_id, address, reason, created_at) VALUES (?, ?, 'unsubscribe', ?)"
                    ).execute(arguments: [batch.workspaceID.rawValue, try row.required("normalized_to", as: String.self), now.unixTime])
                }
                if let messageID = recipient.providerMessageID, next == .sent || next == .delivered,
                    try Bool.fetchOne(pending, arguments: [messageID]) == true
                {
                    // Events that arrived before this outcome (CONTRACT §6: never lost). The batch
                    // is written first so the events apply on top of the counts moved here.
                    try Self.writeState(of: batch, db)
                    try Self.applyPendingEvents(messageID: messageID, recipientRow: rowID, batch: batch.id, now: now, db)
                    if let fresh = try Self.fetchBatchForDelivery(batch.id, db) { batches[batch.id] = fresh }
                }
            }
            for (id, batch) in batches.sorted(by: { $0.key < $1.key }) {
                let settled = BatchLifecycle.settle(batch, at: now)
                if settled.completedAt != nil && open.contains(id) { report.completedBatches.append(id) }
                try Self.writeState(of: settled, db)
            }
            return report
        }
    }

    static func fetchBatchForDelivery(_ id: Batch.ID, _ db: Database) throws -> Batch? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM batches WHERE id = ?"), arguments: [id.rawValue])
            .map(Batch.init(row:))
    }
}
