import BatchSenderStore
import GRDB

extension SQLiteStore {
    /// A reader of the database as it is now: every page comes from one read transaction (a GRDB
    /// snapshot), so a copy is consistent even if something writes meanwhile.
    public func copyReader() throws -> SQLiteCopyReader {
        SQLiteCopyReader(snapshot: try pool.makeSnapshot())
    }

    /// Migrations recorded in the database that this binary does not know: it was written by a
    /// newer version, whose data this one cannot be trusted to copy.
    public func unknownMigrations() async throws -> [String] {
        let migrator = Self.migrator
        return try await pool.read { db in
            let known = Set(try migrator.completedMigrations(db))
            return try migrator.appliedIdentifiers(db).subtracting(known).sorted()
        }
    }
}

/// The source side of `copy-data` on SQLite.
public struct SQLiteCopyReader: CopyReader, SQLiteCopyInspecting {
    let snapshot: DatabaseSnapshot

    public var database: any DatabaseReader { snapshot }

    public func page(of table: CopyTable, after key: [CopyValue]?, limit: Int) async throws -> [[CopyValue]] {
        let sql = Self.pageSQL(table, continuing: key != nil)
        var bound = StatementArguments((key ?? []).map(SQLiteCopyValues.stored))
        bound += [limit]
        let arguments = bound
        return try await snapshot.read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            var page: [[CopyValue]] = []
            while let row = try rows.next() {
                page.append(
                    try table.columns.enumerated().map { index, column in
                        try SQLiteCopyValues.value(row[index], column, table: table.name)
                    })
            }
            return page
        }
    }

    /// `SELECT … WHERE (key) > (?) ORDER BY key LIMIT ?`: a row-value comparison on the primary
    /// key, which its index answers without a sort (https://sqlite.org/rowvalue.html).
    static func pageSQL(_ table: CopyTable, continuing: Bool) -> String {
        let key = table.key.map(SQLiteCopyValues.quoted).joined(separator: ", ")
        var sql = "SELECT \(table.columnNames.map(SQLiteCopyValues.quoted).joined(separator: ", "))"
        sql += " FROM \(SQLiteCopyValues.quoted(table.name))"
        if continuing {
            sql += " WHERE (\(key)) > (\(table.key.map { _ in "?" }.joined(separator: ", ")))"
        }
        return sql + " ORDER BY \(key) LIMIT ?"
    }
}
