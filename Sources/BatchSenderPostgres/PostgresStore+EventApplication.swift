import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// The second key of message-id advisory locks is the id's hash; this is the first.
    static let messageLockSpace: Int32 = 0x4253_4D53  // "BSMS"

    /// Serializes an event and the completion that records its message id: both take this lock
    /// before anything else, so the later one always sees the earlier one's rows (under READ
    /// COMMITTED they could otherwise miss each other and leave the event pending forever).
    /// Locks are taken in hash order, so two transactions cannot deadlock on them.
    static func lockMessageIDs(_ ids: [String], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        try await connection.execute(
            """
            SELECT pg_advisory_xact_lock(\(messageLockSpace), h)
            FROM (SELECT DISTINCT hashtext(m) AS h FROM unnest(\(Array(Set(ids)))::text[]) AS m ORDER BY h) AS ordered
            """, logger: logger)
    }

    /// Applies one event to its recipient: status and counts, suppression, engagement; records
    /// the match and its effect on the event row. The recipient's batch is locked (`state`).
    static func apply(
        _ event: ProviderEvent, eventRow: Int64, to match: EventMatch, now: Date, _ report: inout EventReport,
        _ state: inout EventApplication, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        guard var batch = state.batches[match.batch],
            let row = try await connection.row("SELECT * FROM recipients WHERE id = \(match.row)", logger: logger)
        else { return }
        var current = try Recipient(postgres: row)
        let before = current.status
        guard current.status.isTerminal else {
            // Not handed over yet (an early receipt), or queued again after a retry (an old
            // message's event): the event waits, unmatched, and `complete` applies it when the
            // call's outcome records this message id.
            report.pending += 1
            return
        }
        let seen = try await connection.row(
            "SELECT 1 FROM provider_events WHERE recipient_id = \(match.row) AND kind = \(event.kind.rawValue) LIMIT 1",
            logger: logger)
        let effect = current.apply(event, at: now)
        if effect == .applied {
            try await connection.execute(
                """
                UPDATE recipients SET status = \(current.status.rawValue), last_error = \(current.lastError),
                    delivered_at = \(current.deliveredAt), updated_at = \(now)
                WHERE id = \(match.row)
                """, logger: logger)
            batch.counts.move(1, from: before, to: current.status)
            batch.updatedAt = now
            state.batches[batch.id] = batch
            state.changed.insert(batch.id)
            report.applied += 1
        }
        if seen == nil && (event.kind == .opened || event.kind == .clicked) {
            // A delta on the locked row: `writeState` does not write these two columns.
            let column = event.kind == .opened ? "count_opened" : "count_clicked"
            try await connection.execute(
                PostgresQuery(
                    unsafeSQL: "UPDATE batches SET \(column) = \(column) + 1 WHERE id = $1",
                    binds: try bindings(batch.id.rawValue)), logger: logger)
        }
        if let reason = event.suppression {
            let address: String = try row.required("normalized_to")
            let added = try await connection.row(
                """
                INSERT INTO suppressions (workspace_id, address, reason, created_at)
                VALUES (\(batch.workspaceID.rawValue), \(address), \(reason.rawValue), \(now))
                ON CONFLICT DO NOTHING RETURNING address
                """, logger: logger)
            if added != nil { report.suppressed.append(address) }
        }
        try await connection.execute(
            """
            UPDATE provider_events SET batch_id = \(match.batch.rawValue), recipient_id = \(match.row), effect = \(effect.rawValue)
            WHERE id = \(eventRow)
            """, logger: logger)
    }

    /// Applies the events that waited for `messageID`, now that a recipient of `batch` has it
    /// (inside `complete`'s transaction, which holds the message id's lock and the batch's).
    static func applyPendingEvents(
        messageID: String, to match: EventMatch, now: Date, _ state: inout EventApplication,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let waiting = try await connection.rows(
            """
            SELECT e.* FROM provider_events e JOIN batches b ON b.send_config_id = e.send_config_id
            WHERE e.message_id = \(messageID) AND e.recipient_id IS NULL AND b.id = \(match.batch.rawValue)
            ORDER BY e.occurred_at, e.id
            """, logger: logger)
        var report = EventReport()
        for row in waiting {
            let event = ProviderEvent(
                eventID: try row.required("event_id"), messageID: messageID, kind: try row.enumValue("kind"),
                hard: try row.optional("hard"), detail: try row.optional("detail"), occurredAt: try row.required("occurred_at"),
                recipientKey: try row.optional("recipient_key"))
            try await apply(event, eventRow: try row.required("id"), to: match, now: now, &report, &state, connection, logger)
        }
    }

    /// Writes the settled state of every batch events changed.
    static func writeBatches(of state: EventApplication, at now: Date, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        for id in state.changed.sorted() {
            guard let batch = state.batches[id] else { continue }
            try await writeState(of: BatchLifecycle.settle(batch, at: now), connection, logger)
        }
    }

    /// One text parameter, for queries whose SQL is assembled.
    static func bindings(_ value: String) throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 1)
        try binds.append(value)
        return binds
    }
}
