import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

/// Inserts recipients into one batch with one reused prepared statement, inside the caller's
/// transaction. `INSERT OR IGNORE` against `UNIQUE(batch_id, normalized_to)` drops duplicates
/// (within the input or against stored rows; the first occurrence wins), and the suppression
/// list decides each new row's status.
struct RecipientInserter {
    /// The status a new recipient gets: `suppressed` when its address is on the workspace's list.
    /// `?1` is the workspace id and `normalized` the column or parameter holding the address.
    static func statusExpression(normalized: String) -> String {
        """
        CASE WHEN EXISTS (SELECT 1 FROM suppressions x WHERE x.workspace_id = ?1 AND x.address = \(normalized))
        THEN 'suppressed' ELSE 'pending' END
        """
    }

    let db: Database
    let statement: Statement
    let batch: Batch
    let now: Date

    init(db: Database, batch: Batch, at now: Date) throws {
        statement = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO recipients
                    (batch_id, to_address, normalized_to, variables, status, attempts, updated_at)
                VALUES (?2, ?3, ?4, ?5, \(Self.statusExpression(normalized: "?4")), 0, ?6)
                """)
        self.db = db
        self.batch = batch
        self.now = now
    }

    /// Inserts `recipients` in order; returns how many were new.
    func insert(_ recipients: [NewRecipient]) throws -> Int {
        var added = 0
        for recipient in recipients {
            try statement.execute(arguments: [
                batch.workspaceID.rawValue, batch.id.rawValue, recipient.to, recipient.normalizedTo,
                JSONWriter.encode(recipient.variables), now.unixTime,
            ])
            added += db.changesCount
        }
        return added
    }
}
