import BatchSenderCore
@testable import BatchSenderSQLite
import Foundation
import GRDB
import Testing

/// Migration v6 (API key scopes and users) on a database that already holds keys.
@Suite struct SQLiteScopeMigrationTests {
    @Test func keysFromBeforeV6BecomeAdminKeys() async throws {
        let database = try TemporaryDatabase()
        let store = try SQLiteStore(path: database.path)
        try SQLiteStore.migrator.migrate(store.pool, upTo: "v5")
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO workspaces (id, slug, created_at) VALUES ('ws_1', 'old', 0)")
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, workspace_id, name, prefix, secret_hash, created_at)
                    VALUES ('key_1', 'ws_1', 'old', 'bsk_old', 'old-hash', 0)
                    """)
        }
        try await store.migrate()
        #expect(try await store.apiKey(secretHash: "old-hash")?.scopes == [.admin])
        #expect(try await store.users(in: Workspace.ID(rawValue: "ws_1"), page: .init()).items.isEmpty)
    }

    @Test func aCorruptScopesValueIsAnErrorNotACrashOrAFreePass() async throws {
        let database = try TemporaryDatabase()
        let store = try await database.store()
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO workspaces (id, slug, created_at) VALUES ('ws_1', 'w', 0)")
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, workspace_id, name, prefix, secret_hash, scopes, created_at)
                    VALUES ('key_1', 'ws_1', 'k', 'bsk_k', 'h', '[]', 0)
                    """)
        }
        await #expect(throws: SQLiteStoreError.corruptRow("scopes")) { try await store.apiKey(secretHash: "h") }
    }
}
