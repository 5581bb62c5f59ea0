import BatchSenderCore
import BatchSenderPostgres
import BatchSenderTesting
import PostgresNIO

/// The safety-net conformance cases' back door: the maintained state, without the recipients.
extension PostgresStore: BatchStateOverwriting {
    public func overwriteBatchState(_ batch: Batch) async throws {
        let c = batch.counts
        try await client.query(
            """
            UPDATE batches SET status = \(batch.status.rawValue), completed_at = \(batch.completedAt),
                count_pending = \(c.pending), count_queued = \(c.queued), count_sending = \(c.sending),
                count_sent = \(c.sent), count_delivered = \(c.delivered), count_failed = \(c.failed),
                count_bounced = \(c.bounced), count_complained = \(c.complained), count_suppressed = \(c.suppressed),
                count_cancelled = \(c.cancelled)
            WHERE id = \(batch.id.rawValue)
            """)
    }
}
