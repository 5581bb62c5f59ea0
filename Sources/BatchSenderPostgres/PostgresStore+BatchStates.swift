import BatchSenderCore
import Foundation

// Many batches' state in one statement (with `jsonb_to_recordset`), so that writing a group's
// batches costs no round trip of its own: it rides in the statement that writes the recipients.
// The columns are those of `writeState`; the caller holds the batch rows' locks.

extension PostgresStore {
    /// `UPDATE` up to the recordset; the recordset parameter and `batchStatesTail` follow.
    static let batchStatesHead = """
        UPDATE batches b SET status = s.status, scheduled_at = to_timestamp(s.scheduled_at),
            started_at = to_timestamp(s.started_at), completed_at = to_timestamp(s.completed_at),
            updated_at = to_timestamp(s.updated_at), count_pending = s.count_pending, count_queued = s.count_queued,
            count_sending = s.count_sending, count_sent = s.count_sent, count_delivered = s.count_delivered,
            count_failed = s.count_failed, count_bounced = s.count_bounced, count_complained = s.count_complained,
            count_suppressed = s.count_suppressed, count_cancelled = s.count_cancelled
        FROM jsonb_to_recordset(
        """

    static let batchStatesTail = """
        ) AS s(id text, status text, scheduled_at double precision, started_at double precision,
            completed_at double precision, updated_at double precision, count_pending bigint, count_queued bigint,
            count_sending bigint, count_sent bigint, count_delivered bigint, count_failed bigint, count_bounced bigint,
            count_complained bigint, count_suppressed bigint, count_cancelled bigint)
        WHERE b.id = s.id
        """
}

extension Batch {
    /// The batch's state as one row of `PostgresStore.batchStatesHead`'s recordset.
    var stateRecord: [String: JSONValue] {
        let c = counts
        return [
            "id": .string(id.rawValue), "status": .string(status.rawValue),
            "scheduled_at": scheduledAt.recordValue, "started_at": startedAt.recordValue,
            "completed_at": completedAt.recordValue, "updated_at": .double(updatedAt.timeIntervalSince1970),
            "count_pending": .int(c.pending), "count_queued": .int(c.queued), "count_sending": .int(c.sending),
            "count_sent": .int(c.sent), "count_delivered": .int(c.delivered), "count_failed": .int(c.failed),
            "count_bounced": .int(c.bounced), "count_complained": .int(c.complained),
            "count_suppressed": .int(c.suppressed), "count_cancelled": .int(c.cancelled),
        ]
    }
}
