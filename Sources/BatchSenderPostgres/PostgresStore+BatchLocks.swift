import BatchSenderCore
import Foundation
import PostgresNIO

// The locking rule every writer of batch counts follows, so that no count update is lost under
// READ COMMITTED and no two transactions deadlock: lock the batch rows first, in id order
// (`FOR UPDATE` returns the latest committed row), then touch their recipients, then write the
// counts computed from the locked rows. `apply` locks one batch, claims skip batches locked by
// another claim, completions and rescues lock all the batches they touch in id order.

extension PostgresStore {
    /// Locks the batches `ids` (those that exist) in id order until the transaction ends.
    static func lockBatches(_ ids: [Batch.ID], _ connection: PostgresConnection, _ logger: Logger) async throws
        -> [Batch.ID: Batch]
    {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.rows(
            "SELECT * FROM batches WHERE id = ANY(\(ids.map(\.rawValue))) ORDER BY id FOR UPDATE", logger: logger)
        return try byID(rows)
    }

    /// Locks the message ids (`lockMessageIDs`), then the batches `ids` in id order, in one
    /// round trip: the advisory locks are an uncorrelated subquery of the filter, which PostgreSQL
    /// runs once, before the scan yields its first row — and rows are locked only above the scan
    /// (the plan's LockRows node), so every message lock is held before any batch lock, the order
    /// events take them in. With no batch row at all the subquery may not run; then nothing is
    /// written either, and the message locks are not needed.
    static func lockBatches(
        _ ids: [Batch.ID], afterMessageIDs messageIDs: [String], _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [Batch.ID: Batch] {
        guard !messageIDs.isEmpty else { return try await lockBatches(ids, connection, logger) }
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.rows(
            """
            SELECT * FROM batches WHERE id = ANY(\(ids.map(\.rawValue)))
              AND (SELECT count(*) FROM (
                     SELECT pg_advisory_xact_lock(\(messageLockSpace), h)
                     FROM (SELECT DISTINCT hashtext(m) AS h FROM unnest(\(Array(Set(messageIDs)))::text[]) AS m
                           ORDER BY h) AS ordered) AS locked) >= 0
            ORDER BY id FOR UPDATE
            """, logger: logger)
        return try byID(rows)
    }

    /// Batch rows keyed by id.
    private static func byID(_ rows: [PostgresRandomAccessRow]) throws -> [Batch.ID: Batch] {
        var batches: [Batch.ID: Batch] = [:]
        for row in rows {
            let batch = try Batch(postgres: row)
            batches[batch.id] = batch
        }
        return batches
    }

    /// A JSON array of row objects, for `jsonb_to_recordset`: one statement writes many rows with
    /// nullable values (postgres-nio's arrays cannot carry NULL elements).
    static func recordset(_ rows: [[String: JSONValue]]) -> String {
        JSONWriter.encode(.array(rows.map(JSONValue.object)))
    }
}

extension Optional where Wrapped == Date {
    /// Unix seconds for a recordset (`to_timestamp` on the SQL side), or JSON null.
    var recordValue: JSONValue { map { .double($0.timeIntervalSince1970) } ?? .null }
}

extension Optional where Wrapped == String {
    var recordValue: JSONValue { map(JSONValue.string) ?? .null }
}
