import BatchSenderStore
import GRDB

/// The staging area of streaming uploads (`recipient_uploads`, `recipient_staging`).
enum UploadStaging {
    /// Appends one chunk to the upload with a reused prepared statement; `seq` keeps upload order.
    static func stage(_ chunk: [NewRecipient], upload: Int64, firstSeq: Int64, _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO recipient_staging (upload_id, seq, to_address, normalized_to, variables)
                VALUES (?, ?, ?, ?, ?)
                """)
        var seq = firstSeq
        for recipient in chunk {
            try statement.execute(arguments: [
                upload, seq, recipient.to, recipient.normalizedTo, JSONText.encode(recipient.variables),
            ])
            seq += 1
        }
    }

    /// Forgets the upload and its staged rows.
    static func delete(_ upload: Int64, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM recipient_staging WHERE upload_id = ?", arguments: [upload])
        try db.execute(sql: "DELETE FROM recipient_uploads WHERE id = ?", arguments: [upload])
    }

    /// How many rows are staged in all (for tests and diagnostics).
    static func stagedCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM recipient_staging") ?? 0
    }
}
