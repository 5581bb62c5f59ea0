import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Records many outcomes in one transaction with set-based statements: the batches are
    /// locked in id order, the held recipients read in one query, each outcome resolved by the one
    /// shared rule (`Recipient.resolve`), and all rows written by one `UPDATE … FROM
    /// jsonb_to_recordset`. Counts and completion are written from the locked batch rows.
    public func complete(_ completions: [DeliveryCompletion], now: Date) async throws -> CompletionReport {
        guard !completions.isEmpty else { return CompletionReport() }
        let rowIDs = completions.compactMap(\.recipientID.row)
        return try await transaction { connection in
            let batchIDs = try await connection.rows(
                "SELECT DISTINCT batch_id FROM recipients WHERE id = ANY(\(rowIDs))", logger: logger
            ).map { Batch.ID(rawValue: try $0.required("batch_id")) }
            var batches = try await Self.lockBatches(batchIDs, connection, logger)
            var held = try await Self.heldRecipients(rowIDs, connection, logger)
            var report = CompletionReport()
            var open: Set<Batch.ID> = []
            var changed: Set<Batch.ID> = []
            var updates: [[String: JSONValue]] = []
            var optedOut: [(Workspace.ID, String)] = []
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
            }
            try await Self.writeOutcomes(updates, at: now, connection, logger)
            for (workspace, address) in optedOut {
                try await connection.execute(
                    """
                    INSERT INTO suppressions (workspace_id, address, reason, created_at)
                    VALUES (\(workspace.rawValue), \(address), 'unsubscribe', \(now)) ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            // Provider events waiting for these message ids are applied with the EventStore
            // (next increment); until then `recordEvents` stores none, so none can be waiting.
            for id in changed.sorted() {
                guard let batch = batches[id] else { continue }
                let settled = BatchLifecycle.settle(batch, at: now)
                if settled.completedAt != nil && open.contains(id) { report.completedBatches.append(id) }
                try await Self.writeState(of: settled, connection, logger)
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

    /// Writes resolved recipients in one statement; the lease ends with the outcome.
    private static func writeOutcomes(
        _ updates: [[String: JSONValue]], at now: Date, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        guard !updates.isEmpty else { return }
        try await connection.execute(
            """
            UPDATE recipients r SET status = u.status, attempts = u.attempts, last_error = u.last_error,
                provider_message_id = u.provider_message_id, next_attempt_at = to_timestamp(u.next_attempt_at),
                sent_at = to_timestamp(u.sent_at), delivered_at = to_timestamp(u.delivered_at), updated_at = \(now),
                segments = COALESCE(u.segments, r.segments), lease_token = NULL, lease_expires_at = NULL
            FROM jsonb_to_recordset(\(recordset(updates))::jsonb) AS u(
                id bigint, status text, attempts integer, last_error text, provider_message_id text,
                next_attempt_at double precision, sent_at double precision, delivered_at double precision,
                segments integer)
            WHERE r.id = u.id
            """, logger: logger)
    }
}
