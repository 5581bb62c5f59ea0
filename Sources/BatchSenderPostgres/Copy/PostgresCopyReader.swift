import BatchSenderStore
import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// Runs `body` with a reader of one snapshot of the database: one connection in a
    /// `REPEATABLE READ READ ONLY` transaction, whose every statement sees the data as of its
    /// first one (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-REPEATABLE-READ).
    public func withCopyReader<T: Sendable>(_ body: (PostgresCopyReader) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    let value = try await body(PostgresCopyReader(connection: connection, logger: logger))
                    try await connection.execute("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch let error as PSQLError {
            throw PostgresCopyFailure(error)
        }
    }
}

/// The source side of `copy-data` on PostgreSQL (see `PostgresStore.withCopyReader`).
public struct PostgresCopyReader: CopyReader {
    let connection: PostgresConnection
    let logger: Logger

    public func tableColumns() async throws -> [String: Set<String>] {
        try await PostgresCopyInspection.tableColumns(connection, logger)
    }

    public func count(_ table: CopyTable) async throws -> Int {
        try await PostgresCopyInspection.count(table, connection, logger)
    }

    public func total(_ column: String, of table: CopyTable) async throws -> Int64 {
        try await PostgresCopyInspection.total(column, of: table, connection, logger)
    }

    public func generatedIDHighWater(_ table: CopyTable) async throws -> Int64 {
        try await PostgresCopyInspection.generatedIDHighWater(table, connection, logger)
    }

    public func page(of table: CopyTable, after key: [CopyValue]?, limit: Int) async throws -> [[CopyValue]] {
        var binds = PostgresBindings()
        for value in key ?? [] { try Self.bind(value, &binds) }
        try binds.append(limit)
        let query = PostgresQuery(unsafeSQL: Self.pageSQL(table, continuing: key != nil), binds: binds)
        var page: [[CopyValue]] = []
        for try await row in try await connection.query(query, logger: logger) {
            var values: [CopyValue] = []
            values.reserveCapacity(table.columns.count)
            for (cell, column) in zip(row, table.columns) {
                values.append(try Self.value(cell, column, table: table.name))
            }
            page.append(values)
        }
        return page
    }

    /// `SELECT … WHERE (key) > ($1, …) ORDER BY key LIMIT $n`: the row comparison is answered
    /// by the primary key's index (https://www.postgresql.org/docs/current/functions-comparisons.html#ROW-WISE-COMPARISON).
    static func pageSQL(_ table: CopyTable, continuing: Bool) -> String {
        let quoted = PostgresCopyInspection.quoted
        let key = table.key.map(quoted).joined(separator: ", ")
        var sql = "SELECT \(table.columnNames.map(quoted).joined(separator: ", ")) FROM \(quoted(table.name))"
        var parameter = 1
        if continuing {
            let placeholders = table.key.indices.map { "$\($0 + 1)" }
            parameter += table.key.count
            sql += " WHERE (\(key)) > (\(placeholders.joined(separator: ", ")))"
        }
        return sql + " ORDER BY \(key) LIMIT $\(parameter)"
    }

    static func value(_ cell: PostgresCell, _ column: CopyColumn, table: String) throws -> CopyValue {
        guard cell.bytes != nil else { return .null }
        do {
            switch column.kind {
            case .text, .json: return .text(try cell.decode(String.self))
            case .integer: return .integer(try cell.decode(Int64.self))
            case .real: return .real(try cell.decode(Double.self))
            case .boolean: return .boolean(try cell.decode(Bool.self))
            case .time: return .time(try cell.decode(Date.self))
            case .bytes: return .bytes(try cell.decode(Data.self))
            }
        } catch {
            throw CopyValueError(table: table, column: column.name, expected: column.kind)
        }
    }

    static func bind(_ value: CopyValue, _ binds: inout PostgresBindings) throws {
        switch value {
        case .null: binds.appendNull()
        case .integer(let n): try binds.append(n)
        case .real(let x): try binds.append(x)
        case .text(let s): try binds.append(s)
        case .boolean(let b): try binds.append(b)
        case .time(let date): try binds.append(date)
        case .bytes(let data): try binds.append(data)
        }
    }
}
