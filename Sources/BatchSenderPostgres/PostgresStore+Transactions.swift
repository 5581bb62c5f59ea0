import BatchSenderStore
import PostgresNIO

extension PostgresStore {
    /// Runs `body` in one transaction (READ COMMITTED) on a pooled connection: committed when it
    /// returns, rolled back when it throws. Errors keep their type, unlike postgres-nio's own
    /// `withTransaction`, which wraps them; constraint violations become `StoreError.conflict`,
    /// and a database that cannot be reached `StoreUnavailable`.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await mappingConstraintErrors {
            try await withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    // The body's error is the one worth reporting; a connection too broken to roll
                    // back is closed by the pool, which ends the transaction all the same.
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Runs `body` on a pooled connection outside an explicit transaction (reads).
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await mappingConstraintErrors {
            try await withConnection { connection in try await body(connection) }
        }
    }

    /// A duplicate key or a missing referenced row is the client's conflict (409), not a crash;
    /// a lost or refused connection is an outage (`StoreUnavailable`: 503, retried by the engine).
    private func mappingConstraintErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            reachability.answered()
            return value
        } catch let error as PSQLError where error.sqlState == "23505" || error.sqlState == "23503" {
            reachability.answered()
            throw StoreError.conflict("the entity already exists or violates a constraint")
        } catch let error as PSQLError where error.meansUnavailable {
            reachability.lost()
            throw StoreUnavailable(String(reflecting: error))
        } catch let error as StoreUnavailable {
            reachability.lost()
            throw error
        }
    }
}

extension PostgresConnection {
    /// All rows of `query`, random-access by column name.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// The first row of `query`, if any.
    func row(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRandomAccessRow? {
        try await rows(query, logger: logger).first
    }

    /// Runs a statement that returns no rows we need.
    func execute(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}

extension PSQLError {
    /// The server's SQLSTATE code, e.g. `23505` (unique violation); `nil` for client-side errors.
    var sqlState: String? { serverInfo?[.sqlState] }
}
