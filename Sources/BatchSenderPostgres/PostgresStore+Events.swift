import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore: EventStore {
    public func recordEvents(_ events: [ProviderEvent], for sendConfig: SendConfig, now: Date) async throws -> EventReport {
        try await recordEvents([EventSubmission(events: events, sendConfig: sendConfig)], now: now)[0]
    }

    /// All submissions in one transaction. Lock order as everywhere: message ids, then batches
    /// (id order), then recipients. Matching needs no lock of its own: while we hold the message
    /// ids, no completion can give a recipient one of them.
    public func recordEvents(_ submissions: [EventSubmission], now: Date) async throws -> [EventReport] {
        guard submissions.contains(where: { !$0.events.isEmpty }) else { return submissions.map { _ in EventReport() } }
        return try await transaction { connection in
            try await Self.lockMessageIDs(submissions.flatMap { $0.events.map(\.messageID) }, connection, logger)
            var matches: [[EventMatch?]] = []
            for submission in submissions {
                var found: [EventMatch?] = []
                for event in submission.events {
                    found.append(try await Self.match(event, sendConfig: submission.sendConfig.id, connection, logger))
                }
                matches.append(found)
            }
            var state = EventApplication(
                batches: try await Self.lockBatches(
                    Array(Set(matches.joined().compactMap { $0?.batch })), connection, logger))
            var reports: [EventReport] = []
            for (submission, found) in zip(submissions, matches) {
                var report = EventReport()
                for (event, match) in zip(submission.events, found) {
                    try await Self.record(event, for: submission.sendConfig, match: match, now: now, &report, &state, connection, logger)
                }
                reports.append(report)
            }
            try await Self.writeBatches(of: state, at: now, connection, logger)
            return reports
        }
    }

    public func prunePendingEvents(receivedBefore date: Date) async throws -> Int {
        try await transaction { connection in
            let row = try await connection.row(
                """
                WITH pruned AS (DELETE FROM provider_events WHERE recipient_id IS NULL AND received_at < \(date) RETURNING 1)
                SELECT count(*) AS pruned FROM pruned
                """, logger: logger)
            return try row?.required("pruned", as: Int.self) ?? 0
        }
    }

    public func events(of recipient: Recipient.ID, batch: Batch.ID, in workspace: Workspace.ID) async throws
        -> [RecipientEvent]?
    {
        guard let row = recipient.row else { return nil }
        return try await read { connection in
            let found = try await connection.row(
                """
                SELECT 1 FROM recipients r JOIN batches b ON b.id = r.batch_id
                WHERE r.id = \(row) AND r.batch_id = \(batch.rawValue) AND b.workspace_id = \(workspace.rawValue)
                """, logger: logger)
            guard found != nil else { return nil }
            return try await connection.rows(
                "SELECT * FROM provider_events WHERE recipient_id = \(row) ORDER BY occurred_at, id", logger: logger
            ).map { row in
                RecipientEvent(
                    eventID: try row.required("event_id"), provider: try row.enumValue("provider"),
                    kind: try row.enumValue("kind"), hard: try row.optional("hard"), detail: try row.optional("detail"),
                    occurredAt: try row.required("occurred_at"), receivedAt: try row.required("received_at"),
                    effect: try row.enumValue("effect"))
            }
        }
    }

    /// Stores one event and, when it has a recipient, applies it.
    private static func record(
        _ event: ProviderEvent, for sendConfig: SendConfig, match: EventMatch?, now: Date, _ report: inout EventReport,
        _ state: inout EventApplication, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let inserted = try await connection.row(
            """
            INSERT INTO provider_events (send_config_id, provider, event_id, message_id, kind, hard, detail, occurred_at,
                received_at, recipient_key, effect)
            VALUES (\(sendConfig.id.rawValue), \(sendConfig.provider.rawValue), \(event.eventID), \(event.messageID),
                \(event.kind.rawValue), \(event.hard), \(event.detail), \(event.occurredAt), \(now), \(event.recipientKey),
                'pending')
            ON CONFLICT (send_config_id, event_id) DO NOTHING RETURNING id
            """, logger: logger)
        guard let inserted else {
            report.duplicates += 1
            return
        }
        report.recorded += 1
        guard let match else {
            report.pending += 1
            return
        }
        try await apply(event, eventRow: try inserted.required("id"), to: match, now: now, &report, &state, connection, logger)
    }

    /// The recipient an event is about, among batches sent through `sendConfig`: by its
    /// `recipientKey` when given, else by provider message id.
    private static func match(
        _ event: ProviderEvent, sendConfig: SendConfig.ID, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> EventMatch? {
        if let (batch, row) = event.keyedRecipient {
            let keyed = try await connection.row(
                """
                SELECT 1 FROM recipients r JOIN batches b ON b.id = r.batch_id
                WHERE r.id = \(row) AND r.batch_id = \(batch.rawValue) AND b.send_config_id = \(sendConfig.rawValue)
                """, logger: logger)
            if keyed != nil { return EventMatch(batch: batch, row: row) }
        }
        guard let found = try await connection.row(
            """
            SELECT r.id, r.batch_id FROM recipients r JOIN batches b ON b.id = r.batch_id
            WHERE r.provider_message_id = \(event.messageID) AND b.send_config_id = \(sendConfig.rawValue) LIMIT 1
            """, logger: logger)
        else { return nil }
        return EventMatch(batch: Batch.ID(rawValue: try found.required("batch_id")), row: try found.required("id"))
    }
}
