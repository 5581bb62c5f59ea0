import BatchSenderStore
import Logging
import NIOCore
import PostgresNIO

extension PostgresStore {
    /// The target side of `copy-data` on this database.
    public func copyWriter() -> PostgresCopyWriter { PostgresCopyWriter(store: self) }
}

/// The target side of `copy-data` on PostgreSQL: each table is one transaction holding one
/// `COPY … FROM STDIN`, fed a page at a time — the bulk-loading path PostgreSQL recommends over
/// INSERTs (https://www.postgresql.org/docs/current/populate.html#POPULATE-COPY-FROM). COPY
/// writes identity columns as given, `GENERATED ALWAYS` or not
/// (https://www.postgresql.org/docs/current/sql-createtable.html, "In the COPY command,
/// user-specified values are always used").
public struct PostgresCopyWriter: CopyWriter {
    let store: PostgresStore

    public func tableColumns() async throws -> [String: Set<String>] {
        try await store.read { connection in try await PostgresCopyInspection.tableColumns(connection, store.logger) }
    }

    public func count(_ table: CopyTable) async throws -> Int {
        try await store.read { connection in try await PostgresCopyInspection.count(table, connection, store.logger) }
    }

    public func total(_ column: String, of table: CopyTable) async throws -> Int64 {
        try await store.read { connection in
            try await PostgresCopyInspection.total(column, of: table, connection, store.logger)
        }
    }

    public func generatedIDHighWater(_ table: CopyTable) async throws -> Int64 {
        try await store.read { connection in
            try await PostgresCopyInspection.generatedIDHighWater(table, connection, store.logger)
        }
    }

    /// One `TRUNCATE … RESTART IDENTITY` of all of them: foreign keys among them are no obstacle
    /// when they go together.
    public func removeAll(from tables: [CopyTable]) async throws {
        guard !tables.isEmpty else { return }
        let names = tables.map { PostgresCopyInspection.quoted($0.name) }.joined(separator: ", ")
        try await transaction { connection in
            try await connection.execute(PostgresQuery(unsafeSQL: "TRUNCATE \(names) RESTART IDENTITY"), logger: store.logger)
        }
    }

    public func load(_ table: CopyTable, from next: () async throws -> [[CopyValue]]?) async throws -> Int {
        try await transaction { connection in
            var written = 0
            try await connection.copyFrom(table: table.name, columns: table.columnNames, logger: store.logger) { writer in
                var bytes: [UInt8] = []
                while let rows = try await next() {
                    bytes.removeAll(keepingCapacity: true)
                    for row in rows { try PostgresCopyText.appendRow(row, of: table, to: &bytes) }
                    try await writer.write(ByteBuffer(bytes: bytes))
                    written += rows.count
                }
            }
            return written
        }
    }

    /// `setval`: the next generated id is `value + 1`.
    public func advanceGeneratedID(of table: CopyTable, past value: Int64) async throws {
        guard value > 0, let column = table.generatedID else { return }
        try await transaction { connection in
            guard let sequence = try await PostgresCopyInspection.sequenceName(table, column, connection, store.logger) else {
                return
            }
            try await connection.execute("SELECT setval(\(sequence)::regclass, \(value))", logger: store.logger)
        }
    }

    /// One transaction, like `PostgresStore.transaction`, but a server error keeps its message
    /// (which names the table and constraint) instead of becoming a generic conflict.
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await store.client.withConnection { connection in
                try await connection.execute("BEGIN", logger: store.logger)
                do {
                    let value = try await body(connection)
                    try await connection.execute("COMMIT", logger: store.logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: store.logger)
                    throw error
                }
            }
        } catch let error as PSQLError {
            throw PostgresCopyFailure(error)
        }
    }
}

/// A server error during a copy, with the server's message (never the statement's values).
public struct PostgresCopyFailure: Error, CustomStringConvertible {
    public var description: String

    init(_ error: PSQLError) {
        if let message = error.serverInfo?[.message] {
            description = "PostgreSQL: \(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        } else {
            description = "PostgreSQL: \(error.code)"
        }
    }
}
