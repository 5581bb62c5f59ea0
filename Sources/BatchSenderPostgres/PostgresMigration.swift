/// One step of the schema's history: statements applied in one transaction and recorded in
/// `schema_migrations` under `version`.
struct PostgresMigration: Sendable {
    var version: Int
    var name: String
    /// One statement each: the extended query protocol runs a single statement per query.
    var statements: [String]

    /// The schema's history, oldest first. Never edit a released migration: append a new version.
    static let all: [PostgresMigration] = [
        PostgresSchemaV1.migration, PostgresSchemaV2.migration, PostgresSchemaV3.migration,
        PostgresSchemaV4.migration,
    ]

    /// The version a fully migrated database is at.
    static var latestVersion: Int { all.map(\.version).max() ?? 0 }
}
