import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func sendConfigsWithDueWork(now: Date) async throws -> [SendConfig.ID] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT DISTINCT b.send_config_id FROM batches b
                WHERE b.status IN ('queued', 'processing') AND b.count_queued > 0
                  AND EXISTS (SELECT 1 FROM recipients r
                              WHERE r.batch_id = b.id AND r.status = 'queued' AND r.next_attempt_at <= \(now))
                ORDER BY b.send_config_id
                """, logger: logger
            ).map { SendConfig.ID(rawValue: try $0.required("send_config_id")) }
        }
    }

    /// Claims the due recipients of the config's batches: the batch rows are locked (waited for,
    /// not skipped — see `claimDue`), and within a batch one statement takes the due recipients
    /// with `FOR UPDATE SKIP LOCKED`, so concurrent claimers never get the same recipient.
    public func claim(sendConfig: SendConfig.ID, limit: Int, now: Date, leaseDuration: TimeInterval) async throws
        -> [ClaimedDelivery]
    {
        guard limit > 0 else { return [] }
        return try await transaction { connection in
            try await Self.claimDue(
                sendConfig: sendConfig, limit: limit, now: now, leaseDuration: leaseDuration, connection, logger)
        }
    }

    /// The claim's work inside the caller's transaction (shared with the limited claim).
    ///
    /// Batches locked by others are waited for, not skipped: the other holders are completions,
    /// rescues, commands and (without the throttle row) other claims, all short — and skipping
    /// their batches made a claim come back empty while work was due, sending the runner to sleep
    /// for a poll interval (77 deliveries/s instead of 2,100/s on one process: docs/BENCHMARKS.md).
    /// Batches are locked in id order, as everywhere, so waiting cannot deadlock.
    static func claimDue(
        sendConfig: SendConfig.ID, limit: Int, now: Date, leaseDuration: TimeInterval,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let token = Int64.random(in: 1...Int64.max)
        let expiry = now.addingTimeInterval(leaseDuration)
        let query: PostgresQuery = """
            SELECT * FROM batches WHERE send_config_id = \(sendConfig.rawValue)
              AND status IN ('queued', 'processing') AND count_queued > 0
            ORDER BY id FOR UPDATE
            """
        let batches = try await connection.rows(query, logger: logger).map(Batch.init(postgres:))
        var claimed: [ClaimedDelivery] = []
        // Fair shares: every active batch of the config gets up to an equal part of the claim
        // before any batch gets more, so one huge batch cannot starve newer ones.
        var remaining = batches
        while claimed.count < limit, !remaining.isEmpty {
            let share = max(1, (limit - claimed.count + remaining.count - 1) / remaining.count)
            var stillDue: [Batch] = []
            for batch in remaining where claimed.count < limit {
                let taken = try await Self.claim(
                    from: batch, limit: min(share, limit - claimed.count), token: token, expiry: expiry, now: now,
                    connection, logger)
                claimed += taken.claimed
                if taken.more { stillDue.append(taken.batch) }
            }
            remaining = stillDue
        }
        return claimed
    }

    /// Claims up to `limit` due recipients of one locked batch (those suppressed since they were
    /// added become `suppressed` instead) and moves the batch's counts, in one statement.
    ///
    /// The batch row is locked by the caller, so its counts move by exactly what the statement
    /// claimed: the `UPDATE batches` CTE adds the deltas counted from the claimed rows and the
    /// state `BatchLifecycle.claimed` gives (computed here, applied only if anything was claimed).
    /// Only a claim that settles the batch (its last recipients all suppressed) writes again.
    private static func claim(
        from batch: Batch, limit: Int, token: Int64, expiry: Date, now: Date,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> (claimed: [ClaimedDelivery], batch: Batch, more: Bool) {
        var batch = batch
        let started = BatchLifecycle.claimed(batch, at: now)
        let rows = try await connection.rows(
            """
            WITH due AS (
                SELECT r.id, EXISTS (SELECT 1 FROM suppressions s
                                     WHERE s.workspace_id = \(batch.workspaceID.rawValue) AND s.address = r.normalized_to)
                           AS suppressed
                FROM recipients r
                WHERE r.batch_id = \(batch.id.rawValue) AND r.status = 'queued' AND r.next_attempt_at <= \(now)
                ORDER BY r.next_attempt_at, r.id LIMIT \(limit)
                FOR UPDATE OF r SKIP LOCKED
            ), claimed AS (
                UPDATE recipients r SET
                    status = CASE WHEN due.suppressed THEN 'suppressed' ELSE 'sending' END,
                    attempts = r.attempts + CASE WHEN due.suppressed THEN 0 ELSE 1 END,
                    lease_token = CASE WHEN due.suppressed THEN NULL ELSE \(token) END,
                    lease_expires_at = CASE WHEN due.suppressed THEN r.lease_expires_at ELSE \(expiry) END,
                    updated_at = \(now)
                FROM due WHERE r.id = due.id
                RETURNING r.id, r.to_address, r.variables, r.attempts, r.retry_generation, r.status, r.next_attempt_at
            ), moved AS (
                SELECT count(*) FILTER (WHERE status = 'sending') AS sending,
                       count(*) FILTER (WHERE status = 'suppressed') AS suppressed
                FROM claimed
            ), counted AS (
                UPDATE batches b SET count_queued = b.count_queued - m.sending - m.suppressed,
                    count_sending = b.count_sending + m.sending, count_suppressed = b.count_suppressed + m.suppressed,
                    status = \(started.status.rawValue), started_at = \(started.startedAt), updated_at = \(now)
                FROM moved m WHERE b.id = \(batch.id.rawValue) AND m.sending + m.suppressed > 0
            )
            SELECT * FROM claimed
            """, logger: logger)
        guard !rows.isEmpty else { return ([], batch, false) }
        // RETURNING has no order: put the claims back in due order.
        var taken: [(due: Date, row: Int64, delivery: ClaimedDelivery)] = []
        for row in rows {
            let id = try row.required("id", as: Int64.self)
            if try row.enumValue("status", as: RecipientStatus.self) == .suppressed {
                batch.counts.move(1, from: .queued, to: .suppressed)
                continue
            }
            batch.counts.move(1, from: .queued, to: .sending)
            let delivery = ClaimedDelivery(
                recipientID: Recipient.ID(row: id), batchID: batch.id, to: try row.required("to_address"),
                variables: try row.jsonObject("variables"), attempt: try row.required("attempts"),
                maxAttempts: batch.maxAttempts, dryRun: batch.dryRun, leaseToken: token, leaseExpiresAt: expiry,
                generation: try row.required("retry_generation"))
            taken.append((try row.required("next_attempt_at"), id, delivery))
        }
        taken.sort { ($0.due, $0.row) < ($1.due, $1.row) }
        batch.status = started.status
        batch.startedAt = started.startedAt
        batch.updatedAt = now
        let settled = BatchLifecycle.settle(batch, at: now)
        if settled != batch { try await writeState(of: settled, connection, logger) }
        return (taken.map(\.delivery), settled, rows.count == limit)
    }

    public func extendLeases(_ held: [(Recipient.ID, leaseToken: Int64)], until: Date) async throws {
        let rows = held.compactMap { id, token in id.row.map { ($0, token) } }
        guard !rows.isEmpty else { return }
        try await transaction { connection in
            try await connection.execute(
                """
                UPDATE recipients r SET lease_expires_at = \(until)
                FROM unnest(\(rows.map(\.0))::bigint[], \(rows.map(\.1))::bigint[]) AS h(id, token)
                WHERE r.id = h.id AND r.lease_token = h.token AND r.status = 'sending'
                """, logger: logger)
        }
    }
}
