import BatchSenderStore
import GRDB

/// The questions both ends of a copy answer, asked of one SQLite connection.
enum SQLiteCopyInspection {
    /// Every table of the main schema except SQLite's own (`sqlite_sequence`, …), with columns.
    static func tableColumns(_ db: Database) throws -> [String: Set<String>] {
        let names = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        var tables: [String: Set<String>] = [:]
        for name in names { tables[name] = Set(try db.columns(in: name).map(\.name)) }
        return tables
    }

    static func count(_ table: CopyTable, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(SQLiteCopyValues.quoted(table.name))") ?? 0
    }

    static func total(_ column: String, of table: CopyTable, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db,
            sql: "SELECT COALESCE(SUM(\(SQLiteCopyValues.quoted(column))), 0) FROM \(SQLiteCopyValues.quoted(table.name))"
        ) ?? 0
    }

    /// The larger of the stored maximum and `sqlite_sequence`'s record of the largest id ever
    /// handed out (an `AUTOINCREMENT` table never reuses an id, even after deletions).
    static func generatedIDHighWater(_ table: CopyTable, _ db: Database) throws -> Int64 {
        guard let column = table.generatedID else { return 0 }
        let stored = try Int64.fetchOne(
            db, sql: "SELECT MAX(\(SQLiteCopyValues.quoted(column))) FROM \(SQLiteCopyValues.quoted(table.name))") ?? 0
        return max(stored, try sequence(of: table.name, db) ?? 0)
    }

    /// The table's `sqlite_sequence` entry; `nil` when it has none (or no table has AUTOINCREMENT).
    static func sequence(of table: String, _ db: Database) throws -> Int64? {
        guard try db.tableExists("sqlite_sequence") else { return nil }
        return try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table])
    }
}
