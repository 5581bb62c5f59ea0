import BatchSenderStore
import Logging
import PostgresNIO

/// The questions both ends of a copy answer, asked on one PostgreSQL connection. Tables are
/// those of the connection's schema (`current_schema()`, i.e. the configured `search_path`).
enum PostgresCopyInspection {
    static func tableColumns(_ connection: PostgresConnection, _ logger: Logger) async throws -> [String: Set<String>] {
        let rows = try await connection.rows(
            """
            SELECT c.relname AS table_name, a.attname AS column_name
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
            """, logger: logger)
        var tables: [String: Set<String>] = [:]
        for row in rows {
            tables[try row.required("table_name", as: String.self), default: []].insert(try row.required("column_name"))
        }
        return tables
    }

    static func count(_ table: CopyTable, _ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        let row = try await connection.row(
            PostgresQuery(unsafeSQL: "SELECT count(*) AS n FROM \(quoted(table.name))"), logger: logger)
        return try row?.required("n", as: Int.self) ?? 0
    }

    static func total(_ column: String, of table: CopyTable, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> Int64
    {
        let row = try await connection.row(
            PostgresQuery(unsafeSQL: "SELECT COALESCE(SUM(\(quoted(column))), 0)::bigint AS n FROM \(quoted(table.name))"),
            logger: logger)
        return try row?.required("n", as: Int64.self) ?? 0
    }

    /// The larger of the stored maximum and the identity sequence's last value (ids handed out
    /// by aborted or later-deleted inserts are never reused either).
    static func generatedIDHighWater(_ table: CopyTable, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> Int64
    {
        guard let column = table.generatedID else { return 0 }
        let stored = try await connection.row(
            PostgresQuery(unsafeSQL: "SELECT COALESCE(MAX(\(quoted(column))), 0)::bigint AS n FROM \(quoted(table.name))"),
            logger: logger)
        var highWater = try stored?.required("n", as: Int64.self) ?? 0
        if let sequence = try await sequenceName(table, column, connection, logger) {
            // The name comes back schema-qualified and quoted by the server (pg_get_serial_sequence).
            let state = try await connection.row(
                PostgresQuery(unsafeSQL: "SELECT last_value, is_called FROM \(sequence)"), logger: logger)
            if let state, try state.required("is_called", as: Bool.self) {
                highWater = max(highWater, try state.required("last_value", as: Int64.self))
            }
        }
        return highWater
    }

    /// The identity (or serial) sequence behind `column`, schema-qualified; `nil` when none.
    static func sequenceName(_ table: CopyTable, _ column: String, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> String?
    {
        let row = try await connection.row(
            "SELECT pg_get_serial_sequence(\(quoted(table.name)), \(column)) AS name", logger: logger)
        return try row?.optional("name", as: String.self)
    }

    /// `"name"`: identifiers come from the copy catalog, quoted all the same.
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
