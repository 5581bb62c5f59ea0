import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Records many outcomes in one transaction with set-based statements: the batches are
    /// locked in id order, the held recipients read in one query, each outcome resolved by the one
    /// shared rule (`Recipient.resolve`), and then one statement writes every recipient row, every
    /// batch's counts and state, and names the message ids that have events waiting.
    ///
    /// Round trips, the lever for throughput here (docs/BENCHMARKS.md): BEGIN, the message-id
    /// and batch locks, the recipients, the write, COMMIT — and a second batch write only when
    /// waiting events were applied.
    public func complete(_ completions: [DeliveryCompletion], now: Date) async throws -> CompletionReport {
        guard !completions.isEmpty else { return CompletionReport() }
        let rowIDs = completions.compactMap(\.recipientID.row)
        // The claim named each recipient's batch; a recipient never changes batch. An outcome
        // whose recipient is in a batch not named here finds that batch unlocked and is `lost`.
        let batchIDs = Array(Set(completions.map(\.batchID)))
        return try await transaction { connection in
            // Message ids first (see `lockMessageIDs`), then batches in id order, then recipients.
            var batches = try await Self.lockBatches(
                batchIDs, afterMessageIDs: completions.compactMap(\.resolution.providerMessageID), connection, logger)
            var held = try await Self.heldRecipients(rowIDs, connection, logger)
            var report = CompletionReport()
            var open: Set<Batch.ID> = []
            var changed: Set<Batch.ID> = []
            var updates: [[String: JSONValue]] = []
            var optedOut: [(Workspace.ID, String)] = []
            var sentMessages: [(String, EventMatch)] = []
            for completion in completions {
                guard let row = completion.recipientID.row, let current = held[row],
                    current.leaseToken == completion.leaseToken, Self.completable.contains(current.recipient.status),
                    var batch = batches[current.recipient.batchID]
                else {
                    report.lost.append(completion.recipientID)
                    continue
                }
                var recipient = current.recipient
                let before = recipient.status
                if batch.completedAt == nil { open.insert(batch.id) }
                let next = recipient.resolve(completion.resolution, batchCancelled: batch.status == .cancelled, at: now)
                updates.append([
                    "id": .int(Int(row)), "status": .string(next.rawValue), "attempts": .int(recipient.attempts),
                    "last_error": recipient.lastError.recordValue,
                    "provider_message_id": recipient.providerMessageID.recordValue,
                    "next_attempt_at": recipient.nextAttemptAt.recordValue, "sent_at": recipient.sentAt.recordValue,
                    "delivered_at": recipient.deliveredAt.recordValue, "segments": completion.segments.map(JSONValue.int) ?? .null,
                ])
                // The lease is spent: a second outcome for it in this call is lost, as it would be later.
                held[row] = (recipient, nil, current.normalizedTo)
                batch.counts.move(1, from: before, to: next)
                batch.updatedAt = now
                batches[batch.id] = batch
                changed.insert(batch.id)
                report.applied += 1
                if before != .sending { report.late += 1 }
                if case .optedOut = completion.resolution { optedOut.append((batch.workspaceID, current.normalizedTo)) }
                if let messageID = recipient.providerMessageID, next == .sent || next == .delivered {
                    sentMessages.append((messageID, EventMatch(batch: batch.id, row: row)))
                }
            }
            let settled = changed.sorted().compactMap { batches[$0].map { BatchLifecycle.settle($0, at: now) } }
            let waiting = try await Self.writeOutcomes(
                updates, states: settled, messageIDs: sentMessages.map(\.0), at: now, connection, logger)
            for (workspace, address) in optedOut {
                try await connection.execute(
                    """
                    INSERT INTO suppressions (workspace_id, address, reason, created_at)
                    VALUES (\(workspace.rawValue), \(address), 'unsubscribe', \(now)) ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            var final = Dictionary(uniqueKeysWithValues: settled.map { ($0.id, $0) })
            if !waiting.isEmpty {
                // Events that arrived before these outcomes (CONTRACT §6: never lost), applied on
                // top of the counts moved here; the batches are written again, settled after them.
                var state = EventApplication(batches: batches, changed: changed)
                for (messageID, match) in sentMessages where waiting.contains(messageID) {
                    try await Self.applyPendingEvents(messageID: messageID, to: match, now: now, &state, connection, logger)
                }
                for id in state.changed.sorted() {
                    guard let batch = state.batches[id] else { continue }
                    let again = BatchLifecycle.settle(batch, at: now)
                    try await Self.writeState(of: again, connection, logger)
                    final[id] = again
                }
            }
            for (id, batch) in final.sorted(by: { $0.key < $1.key }) where batch.completedAt != nil && open.contains(id) {
                report.completedBatches.append(id)
            }
            return report
        }
    }

    /// The statuses an outcome may still apply in: `sending`, or what the rescuer made of it.
    static let completable: Set<RecipientStatus> = [.sending, .queued, .cancelled, .failed]

    /// The recipients `rows`, locked, with their lease tokens and normalized addresses.
    private static func heldRecipients(_ rows: [Int64], _ connection: PostgresConnection, _ logger: Logger) async throws
        -> [Int64: (recipient: Recipient, leaseToken: Int64?, normalizedTo: String)]
    {
        // Variables are not needed to record an outcome: `'{}'` spares sending and parsing them.
        let found = try await connection.rows(
            """
            SELECT id, batch_id, to_address, normalized_to, '{}'::jsonb AS variables, status, attempts, last_error,
                provider_message_id, next_attempt_at, sent_at, delivered_at, updated_at, segments, retry_generation,
                lease_token
            FROM recipients WHERE id = ANY(\(rows)) FOR UPDATE
            """, logger: logger)
        var held: [Int64: (recipient: Recipient, leaseToken: Int64?, normalizedTo: String)] = [:]
        for row in found {
            held[try row.required("id")] = (
                try Recipient(postgres: row), try row.optional("lease_token"), try row.required("normalized_to")
            )
        }
        return held
    }

    /// One statement: writes the resolved recipients (their leases end with the outcome) and the
    /// batches' settled counts and state, and returns which of `messageIDs` have events waiting
    /// for them (a partial index, nearly always empty). Data-modifying CTEs run exactly once
    /// whether or not the main query reads them (PostgreSQL docs, "WITH Queries", 7.8.4); the
    /// main query reads `provider_events`, which neither touches.
    private static func writeOutcomes(
        _ updates: [[String: JSONValue]], states: [Batch], messageIDs: [String], at now: Date,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Set<String> {
        guard !updates.isEmpty else { return [] }
        let rows = try await connection.rows(
            """
            WITH outcomes AS (
                UPDATE recipients r SET status = u.status, attempts = u.attempts, last_error = u.last_error,
                    provider_message_id = u.provider_message_id, next_attempt_at = to_timestamp(u.next_attempt_at),
                    sent_at = to_timestamp(u.sent_at), delivered_at = to_timestamp(u.delivered_at), updated_at = \(now),
                    segments = COALESCE(u.segments, r.segments), lease_token = NULL, lease_expires_at = NULL
                FROM jsonb_to_recordset(\(recordset(updates))::jsonb) AS u(
                    id bigint, status text, attempts integer, last_error text, provider_message_id text,
                    next_attempt_at double precision, sent_at double precision, delivered_at double precision,
                    segments integer)
                WHERE r.id = u.id
            ), states AS (\(unescaped: batchStatesHead)\(recordset(states.map(\.stateRecord)))::jsonb\(unescaped: batchStatesTail))
            SELECT DISTINCT message_id FROM provider_events
            WHERE recipient_id IS NULL AND message_id = ANY(\(messageIDs))
            """, logger: logger)
        return Set(try rows.map { try $0.required("message_id", as: String.self) })
    }
}

extension DeliveryResolution {
    /// The message id a resolution records, if any.
    var providerMessageID: String? {
        switch self {
        case .sent(let id), .delivered(let id): id
        default: nil
        }
    }
}
