import Logging
import PostgresNIO

extension PostgresStore {
    /// The migration versions this binary knows; a database that records others was migrated
    /// by a newer version.
    public static var knownMigrationVersions: [Int] { PostgresMigration.all.map(\.version) }

    /// Names this database among all others reachable by any URL: its OID and schema on a server
    /// identified by when its postmaster started. Two URLs naming the same database (another
    /// host alias, another user) give the same identity.
    public func databaseIdentity() async throws -> String {
        try await read { connection in
            let row = try await connection.row(
                """
                SELECT (SELECT oid FROM pg_database WHERE datname = current_database())::bigint AS database,
                    extract(epoch FROM pg_postmaster_start_time())::text AS started, current_schema() AS schema
                """, logger: logger)
            guard let row else { return "" }
            let database = try row.required("database", as: Int64.self)
            let started = try row.required("started", as: String.self)
            let schema = try row.optional("schema", as: String.self) ?? ""
            return "postgres:\(started)/\(database)/\(schema)"
        }
    }

    /// How many other sessions of `applicationName` are connected to this database: other
    /// BatchSender processes, whose pools name themselves `batchsender`. Exact only when this
    /// store has a single connection (a pool of one), which the query itself uses.
    /// `pg_stat_activity` shows every session's database and application name to every role
    /// (https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW).
    public func otherSessions(named applicationName: String = "batchsender") async throws -> Int {
        try await read { connection in
            let row = try await connection.row(
                """
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = \(applicationName) AND pid <> pg_backend_pid()
                """, logger: logger)
            return try row?.required("n", as: Int.self) ?? 0
        }
    }
}
