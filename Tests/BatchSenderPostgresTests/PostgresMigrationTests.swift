import BatchSenderPostgres
import Foundation
import PostgresNIO
import Testing

@Suite("PostgreSQL migrations", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct PostgresMigrationTests {
    @Test("two stores opening at once migrate once")
    func concurrentMigrations() async throws {
        let configuration = try TestDatabase.freshConfiguration()
        try await TestDatabase.withRunningStore(configuration) { first in
            try await TestDatabase.withRunningStore(configuration) { second in
                async let a = first.migrate()
                async let b = second.migrate()
                let applied = try await a + b
                #expect(applied.sorted() == [1, 2, 3, 4], "each migration applied by exactly one store")
                #expect(try await first.appliedMigrations() == [1, 2, 3, 4])
                try await first.checkReady()
                try await second.checkReady()
                #expect(try await second.migrate() == [], "migrating again does nothing")
                try await TestDatabase.dropSchema(of: first)
            }
        }
    }

    @Test("checkReady fails until the database is migrated")
    func notReadyBeforeMigration() async throws {
        // Readiness, not speed, is the question: a whole suite running at once may keep a fresh
        // connection waiting longer than the server's 2 s default.
        try await TestDatabase.withRunningStore(try TestDatabase.freshConfiguration(), readinessTimeout: .seconds(60)) { store in
            #expect(try await store.appliedMigrations() == [])
            await #expect(throws: PostgresStoreError.notMigrated) { try await store.checkReady() }
            try await store.migrate()
            try await store.checkReady()
            try await TestDatabase.dropSchema(of: store)
        }
    }

    @Test("the schema has every table of the SQLite driver, with PostgreSQL types")
    func schemaTables() async throws {
        try await TestDatabase.withStore { store in
            let schema = store.configuration.schema ?? "public"
            let rows = try await store.client.query(
                """
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_schema = \(schema)
                """
            ).collect()
            var types: [String: String] = [:]
            for row in rows {
                let (table, column, type) = try row.decode((String, String, String).self)
                types["\(table).\(column)"] = type
            }
            let tables = Set(types.keys.compactMap { $0.split(separator: ".").first.map(String.init) })
            #expect(
                tables == [
                    "schema_migrations", "workspaces", "api_keys", "send_configs", "batches", "recipients", "suppressions",
                    "idempotency_keys", "leader_leases", "sandbox_messages", "provider_events", "send_config_throttles", "users",
                ])
            #expect(types["recipients.id"] == "bigint")
            #expect(types["recipients.variables"] == "jsonb")
            #expect(types["batches.payload"] == "jsonb")
            #expect(types["send_configs.sealed_credentials"] == "bytea")
            #expect(types["idempotency_keys.created_at"] == "timestamp with time zone")
            #expect(types["batches.count_opened"] == "bigint")
            #expect(types["recipients.retry_generation"] == "integer")
            #expect(types["send_config_throttles.tat"] == "timestamp with time zone")
            #expect(types["api_keys.scopes"] == "jsonb")
            #expect(types["users.created_at"] == "timestamp with time zone")
        }
    }

    /// Keys made before scopes existed could do everything: migration 4 gives them `admin`.
    @Test("keys from before migration 4 become admin keys")
    func existingKeysBecomeAdmin() async throws {
        try await TestDatabase.withStore { store in
            // Back to the schema before migration 4, by hand, with a key stored in it.
            for statement in [
                "DROP TABLE users", "ALTER TABLE api_keys DROP COLUMN scopes", "DELETE FROM schema_migrations WHERE version = 4",
                "INSERT INTO workspaces (id, slug, created_at) VALUES ('ws_1', 'old', now())",
                """
                INSERT INTO api_keys (id, workspace_id, name, prefix, secret_hash, created_at)
                VALUES ('key_1', 'ws_1', 'old', 'bsk_old', 'old-hash', now())
                """,
            ] {
                try await store.client.query(PostgresQuery(unsafeSQL: statement))
            }
            #expect(try await store.migrate() == [4])
            #expect(try await store.apiKey(secretHash: "old-hash")?.scopes == [.admin])
        }
    }
}
