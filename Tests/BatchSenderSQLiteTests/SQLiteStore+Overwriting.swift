import BatchSenderCore
import BatchSenderSQLite
import BatchSenderTesting
import GRDB

/// The safety-net conformance cases' back door: the maintained state, without the recipients.
extension SQLiteStore: BatchStateOverwriting {
    public func overwriteBatchState(_ batch: Batch) async throws {
        let counts = RecipientStatus.allCases.map { "count_\($0.rawValue) = ?" }.joined(separator: ", ")
        try await pool.write { db in
            var arguments: StatementArguments = [batch.status.rawValue, batch.completedAt?.timeIntervalSince1970]
            arguments += StatementArguments(RecipientStatus.allCases.map { batch.counts[$0] })
            arguments += [batch.id.rawValue]
            try db.execute(sql: "UPDATE batches SET status = ?, completed_at = ?, \(counts) WHERE id = ?", arguments: arguments)
        }
    }
}
