import BatchSenderStore
import Foundation
import BatchSenderCore
import GRDB

/// The staging area of streaming uploads: `temp.recipient_uploads` and `temp.recipient_staging`.
///
/// They are TEMP tables of the pool's single writer connection (every `pool.write` runs on it),
/// so staged rows never go through the WAL or get fsynced, are invisible to other connections,
/// and vanish with the process: a crash mid-upload leaves nothing behind. The temp store is
/// file-backed (`temp_store = FILE`), so a large upload spills to disk instead of growing memory.
enum UploadStaging {
    /// Rows per multi-row INSERT: fewer statement executions, far less per-row overhead
    /// (5 columns × 100 = 500 parameters, well under SQLite's limit).
    static let rowsPerStatement = 100

    /// Creates the temp tables on this connection if needed.
    static func prepare(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TEMP TABLE IF NOT EXISTS recipient_uploads (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    batch_id TEXT NOT NULL,
                    started_at REAL NOT NULL
                );
                CREATE TEMP TABLE IF NOT EXISTS recipient_staging (
                    upload_id INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    to_address TEXT NOT NULL,
                    normalized_to TEXT NOT NULL,
                    variables TEXT NOT NULL,
                    PRIMARY KEY (upload_id, seq)
                ) WITHOUT ROWID;
                """)
    }

    /// Registers a new upload and returns its id.
    static func begin(batch: String, at now: Date, _ db: Database) throws -> Int64 {
        try prepare(db)
        try db.execute(
            sql: "INSERT INTO temp.recipient_uploads (batch_id, started_at) VALUES (?, ?)",
            arguments: [batch, now.unixTime])
        return db.lastInsertedRowID
    }

    /// Appends one chunk to the upload with reused prepared statements; `seq` keeps upload order.
    static func stage(_ chunk: [NewRecipient], upload: Int64, firstSeq: Int64, _ db: Database) throws {
        try prepare(db)
        let values = "(?, ?, ?, ?, ?)"
        let insert = "INSERT INTO temp.recipient_staging (upload_id, seq, to_address, normalized_to, variables) VALUES "
        let many = try db.cachedStatement(
            sql: insert + Array(repeating: values, count: rowsPerStatement).joined(separator: ", "))
        let one = try db.cachedStatement(sql: insert + values)
        // GRDB validates its own record of the arguments before executing: set placeholders once,
        // then overwrite the bindings in place for each row (see `Statement.bind(_:at:)`).
        try many.setArguments(StatementArguments(Array(repeating: DatabaseValue.null, count: 5 * rowsPerStatement)))
        try one.setArguments(StatementArguments(Array(repeating: DatabaseValue.null, count: 5)))
        var seq = firstSeq
        /// Binds one row's five parameters starting at `first`.
        func bind(_ recipient: NewRecipient, to statement: Statement, from first: Int32) throws {
            try statement.bind(upload, at: first)
            try statement.bind(seq, at: first + 1)
            try statement.bind(recipient.to, at: first + 2)
            try statement.bind(recipient.normalizedTo, at: first + 3)
            try statement.bind(JSONWriter.encode(recipient.variables), at: first + 4)
            seq += 1
        }
        var start = chunk.startIndex
        while chunk.endIndex - start >= rowsPerStatement {
            try many.resetForBinding()
            for (offset, recipient) in chunk[start..<(start + rowsPerStatement)].enumerated() {
                try bind(recipient, to: many, from: Int32(offset * 5 + 1))
            }
            try many.execute()
            start += rowsPerStatement
        }
        for recipient in chunk[start...] {
            try one.resetForBinding()
            try bind(recipient, to: one, from: 1)
            try one.execute()
        }
    }

    /// Forgets the upload and its staged rows.
    static func delete(_ upload: Int64, _ db: Database) throws {
        try prepare(db)
        try db.execute(sql: "DELETE FROM temp.recipient_uploads WHERE id = ?", arguments: [upload])
        if try Row.fetchOne(db, sql: "SELECT 1 FROM temp.recipient_uploads LIMIT 1") == nil {
            // The only upload: an unqualified DELETE truncates the table instead of visiting rows.
            try db.execute(sql: "DELETE FROM temp.recipient_staging")
        } else {
            try db.execute(sql: "DELETE FROM temp.recipient_staging WHERE upload_id = ?", arguments: [upload])
        }
    }

    /// Forgets uploads started before `date` (a failed cleanup); returns how many.
    static func purge(startedBefore date: Date, _ db: Database) throws -> Int {
        try prepare(db)
        try db.execute(
            sql: """
                DELETE FROM temp.recipient_staging WHERE upload_id IN
                    (SELECT id FROM temp.recipient_uploads WHERE started_at < ?)
                """, arguments: [date.unixTime])
        try db.execute(sql: "DELETE FROM temp.recipient_uploads WHERE started_at < ?", arguments: [date.unixTime])
        return db.changesCount
    }

    /// How many rows are staged in all (for tests and diagnostics).
    static func stagedCount(_ db: Database) throws -> Int {
        try prepare(db)
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.recipient_staging") ?? 0
    }
}
