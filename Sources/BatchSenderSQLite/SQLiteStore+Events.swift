import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    public func recordEvents(_ events: [ProviderEvent], for sendConfig: SendConfig, now: Date) async throws -> EventReport {
        try await recordEvents([EventSubmission(events: events, sendConfig: sendConfig)], now: now)[0]
    }

    public func recordEvents(_ submissions: [EventSubmission], now: Date) async throws -> [EventReport] {
        guard submissions.contains(where: { !$0.events.isEmpty }) else { return submissions.map { _ in EventReport() } }
        return try await write { db in
            try submissions.map { try Self.record($0.events, for: $0.sendConfig, now: now, db) }
        }
    }

    /// Stores, matches and applies one request's events inside the caller's transaction.
    private static func record(_ events: [ProviderEvent], for sendConfig: SendConfig, now: Date, _ db: Database) throws -> EventReport {
        var report = EventReport()
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO provider_events
                    (send_config_id, provider, event_id, message_id, kind, hard, detail, occurred_at, received_at,
                     recipient_key, effect)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')
                """)
        for event in events {
            try insert.execute(arguments: [
                sendConfig.id.rawValue, sendConfig.provider.rawValue, event.eventID, event.messageID, event.kind.rawValue,
                event.hard, event.detail, event.occurredAt.unixTime, now.unixTime, event.recipientKey,
            ])
            guard db.changesCount == 1 else {
                report.duplicates += 1
                continue
            }
            report.recorded += 1
            let eventRow = db.lastInsertedRowID
            guard let recipient = try match(event, sendConfig: sendConfig.id, db) else {
                report.pending += 1
                continue
            }
            try apply(event, eventRow: eventRow, to: recipient, now: now, report: &report, db)
        }
        return report
    }

    public func prunePendingEvents(receivedBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM provider_events WHERE recipient_id IS NULL AND received_at < ?", arguments: [date.unixTime])
            return db.changesCount
        }
    }

    public func events(of recipient: Recipient.ID, batch: Batch.ID, in workspace: Workspace.ID) async throws -> [RecipientEvent]? {
        guard let row = recipient.row else { return nil }
        return try await read { db in
            guard try Bool.fetchOne(
                db, sql: """
                    SELECT 1 FROM recipients r JOIN batches b ON b.id = r.batch_id
                    WHERE r.id = ? AND r.batch_id = ? AND b.workspace_id = ?
                    """, arguments: [row, batch.rawValue, workspace.rawValue]) == true
            else { return nil }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM provider_events WHERE recipient_id = ? ORDER BY occurred_at, id", arguments: [row]
            ).map { row in
                RecipientEvent(
                    eventID: try row.required("event_id"), provider: try row.enumValue("provider"),
                    kind: try row.enumValue("kind"), hard: try row.optional("hard"), detail: try row.optional("detail"),
                    occurredAt: try row.date("occurred_at"), receivedAt: try row.date("received_at"),
                    effect: try row.enumValue("effect"))
            }
        }
    }

    /// Applies the events that waited for `messageID`, now that a recipient of `batch` has it
    /// (inside `complete`'s transaction).
    static func applyPendingEvents(messageID: String, recipientRow: Int64, batch: Batch.ID, now: Date, _ db: Database) throws {
        let waiting = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT e.* FROM provider_events e JOIN batches b ON b.send_config_id = e.send_config_id
                    WHERE e.message_id = ? AND e.recipient_id IS NULL AND b.id = ? ORDER BY e.occurred_at, e.id
                    """),
            arguments: [messageID, batch.rawValue])
        guard !waiting.isEmpty else { return }
        var report = EventReport()
        for row in waiting {
            let event = ProviderEvent(
                eventID: try row.required("event_id"), messageID: messageID, kind: try row.enumValue("kind"),
                hard: try row.optional("hard"), detail: try row.optional("detail"), occurredAt: try row.date("occurred_at"),
                recipientKey: try row.optional("recipient_key"))
            try apply(event, eventRow: try row.required("id"), to: (batch, recipientRow), now: now, report: &report, db)
        }
    }

    /// The recipient (batch, row) an event is about, among batches sent through `sendConfig`.
    private static func match(_ event: ProviderEvent, sendConfig: SendConfig.ID, _ db: Database) throws -> (Batch.ID, Int64)? {
        if let (batch, row) = event.keyedRecipient,
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT 1 FROM recipients r JOIN batches b ON b.id = r.batch_id
                        WHERE r.id = ? AND r.batch_id = ? AND b.send_config_id = ?
                        """),
                arguments: [row, batch.rawValue, sendConfig.rawValue]) == true
        {
            return (batch, row)
        }
        guard let found = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT r.id, r.batch_id FROM recipients r JOIN batches b ON b.id = r.batch_id
                    WHERE r.provider_message_id = ? AND b.send_config_id = ? LIMIT 1
                    """),
            arguments: [event.messageID, sendConfig.rawValue])
        else { return nil }
        return (Batch.ID(rawValue: try found.required("batch_id")), try found.required("id"))
    }

    /// Applies one event to its recipient: status and counts, suppression, engagement; records
    /// the match and its effect on the event row.
    private static func apply(
        _ event: ProviderEvent, eventRow: Int64, to recipient: (batch: Batch.ID, row: Int64), now: Date,
        report: inout EventReport, _ db: Database
    ) throws {
        guard var batch = try fetchBatchForDelivery(recipient.batch, db),
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM recipients WHERE id = ?"), arguments: [recipient.row])
        else { return }
        var current = try Recipient(row: row)
        let before = current.status
        guard current.status.isTerminal else {
            // Not handed over yet (an early receipt), or queued again after a retry (an old
            // message's event): the event waits, unmatched, and `complete` applies it when the
            // call's outcome records this message id.
            report.pending += 1
            return
        }
        let firstOfKind = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM provider_events WHERE recipient_id = ? AND kind = ? LIMIT 1"),
            arguments: [recipient.row, event.kind.rawValue]) != true
        let effect = current.apply(event, at: now)
        if effect == .applied {
            try db.cachedStatement(
                sql: """
                    UPDATE recipients SET status = ?, last_error = ?, delivered_at = ?, updated_at = ? WHERE id = ?
                    """
            ).execute(arguments: [
                current.status.rawValue, current.lastError, current.deliveredAt?.unixTime, now.unixTime, recipient.row,
            ])
            batch.counts.move(1, from: before, to: current.status)
            batch.updatedAt = now
            try writeState(of: BatchLifecycle.settle(batch, at: now), db)
            report.applied += 1
        }
        if firstOfKind && (event.kind == .opened || event.kind == .clicked) {
            let column = event.kind == .opened ? "count_opened" : "count_clicked"
            try db.execute(sql: "UPDATE batches SET \(column) = \(column) + 1 WHERE id = ?", arguments: [batch.id.rawValue])
        }
        if let reason = event.suppression {
            let address: String = try row.required("normalized_to")
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO suppressions (workspace_id, address, reason, created_at) VALUES (?, ?, ?, ?)"
            ).execute(arguments: [batch.workspaceID.rawValue, address, reason.rawValue, now.unixTime])
            if db.changesCount == 1 { report.suppressed.append(address) }
        }
        try db.cachedStatement(
            sql: "UPDATE provider_events SET batch_id = ?, recipient_id = ?, effect = ? WHERE id = ?"
        ).execute(arguments: [recipient.batch.rawValue, recipient.row, effect.rawValue, eventRow])
    }
}
