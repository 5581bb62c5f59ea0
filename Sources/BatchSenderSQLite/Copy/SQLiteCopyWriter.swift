import BatchSenderStore
import GRDB

extension SQLiteStore {
    /// The target side of `copy-data` on this database.
    public func copyWriter() -> SQLiteCopyWriter { SQLiteCopyWriter(pool: pool) }
}

/// The target side of `copy-data` on SQLite: each page is one write transaction through one
/// reused prepared statement. (A multi-row `INSERT` saves nothing here: SQLite runs in-process,
/// so there is no round trip per row to amortize, only the statement's execution.)
public struct SQLiteCopyWriter: CopyWriter, SQLiteCopyInspecting {
    let pool: DatabasePool

    public var database: any DatabaseReader { pool }

    public func removeAll(from tables: [CopyTable]) async throws {
        try await pool.write { db in
            for table in tables {
                try db.execute(sql: "DELETE FROM \(SQLiteCopyValues.quoted(table.name))")
                if try db.tableExists("sqlite_sequence") {
                    try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = ?", arguments: [table.name])
                }
            }
        }
    }

    public func load(_ table: CopyTable, from next: () async throws -> [[CopyValue]]?) async throws -> Int {
        let sql = """
            INSERT INTO \(SQLiteCopyValues.quoted(table.name)) (\(table.columnNames.map(SQLiteCopyValues.quoted).joined(separator: ", ")))
            VALUES (\(table.columns.map { _ in "?" }.joined(separator: ", ")))
            """
        var written = 0
        while let rows = try await next() {
            try await pool.write { db in
                let statement = try db.cachedStatement(sql: sql)
                for row in rows {
                    try statement.execute(arguments: StatementArguments(row.map(SQLiteCopyValues.stored)))
                }
            }
            written += rows.count
        }
        return written
    }

    /// `sqlite_sequence` follows inserted ids by itself; this carries a source's larger record
    /// (ids handed out and later deleted) so they are not handed out again.
    public func advanceGeneratedID(of table: CopyTable, past value: Int64) async throws {
        guard value > 0 else { return }
        try await pool.write { db in
            switch try SQLiteCopyInspection.sequence(of: table.name, db) {
            case .some(let current) where current >= value: break
            case .some:
                try db.execute(sql: "UPDATE sqlite_sequence SET seq = ? WHERE name = ?", arguments: [value, table.name])
            case .none:
                try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", arguments: [table.name, value])
            }
        }
    }
}
