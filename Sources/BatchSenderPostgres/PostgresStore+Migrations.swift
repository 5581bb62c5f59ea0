import PostgresNIO

extension PostgresStore {
    /// The first key of the migration advisory lock (the second is the schema's hash): a constant
    /// of ours, so other applications' advisory locks on the same database do not collide.
    static let migrationLockSpace: Int32 = 0x4253_4D47  // "BSMG"

    /// Applies every pending migration in one transaction and returns the versions it applied.
    ///
    /// The transaction first takes `pg_advisory_xact_lock`, so processes starting at once
    /// against one database migrate one after the other: the first applies everything, the
    /// others find nothing left to do. DDL is transactional in PostgreSQL, so a failed migration
    /// leaves no half-made schema. Creates the configured schema when it does not exist.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let schemaName = configuration.schema ?? "public"
        let createSchema = configuration.schema.map { PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \($0)") }
        return try await transaction { connection in
            try await connection.execute(
                "SELECT pg_advisory_xact_lock(\(Self.migrationLockSpace), hashtext(\(schemaName)))", logger: logger)
            if let createSchema { try await connection.execute(createSchema, logger: logger) }
            try await connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let applied = Set(
                try await connection.rows("SELECT version FROM schema_migrations", logger: logger)
                    .map { try $0.required("version", as: Int.self) })
            var newlyApplied: [Int] = []
            for migration in PostgresMigration.all where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.execute(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                newlyApplied.append(migration.version)
            }
            return newlyApplied
        }
    }

    /// The versions recorded in `schema_migrations`, in order; empty before the first migration.
    public func appliedMigrations() async throws -> [Int] {
        do {
            return try await read { connection in
                try await connection.rows("SELECT version FROM schema_migrations ORDER BY version", logger: logger)
                    .map { try $0.required("version", as: Int.self) }
            }
        } catch let error as PSQLError where error.sqlState == "42P01" {  // undefined_table
            return []
        }
    }

    /// The newest applied version, 0 before the first migration.
    func currentVersion() async throws -> Int {
        try await appliedMigrations().last ?? 0
    }
}
