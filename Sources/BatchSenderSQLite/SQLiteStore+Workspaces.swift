import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    public func bootstrap(workspace: Workspace, key: APIKey) async throws -> Bool {
        // Write transactions are IMMEDIATE: two processes starting at once serialize here, and
        // the second sees the first's workspace.
        guard key.workspaceID == workspace.id else { throw StoreError.notFound("workspace \(key.workspaceID)") }
        return try await write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM workspaces LIMIT 1") == nil else { return false }
            try Self.insert(workspace, db)
            try Self.insert(key, db)
            return true
        }
    }

    public func ensureWorkspace(_ workspace: Workspace) async throws -> Workspace {
        try await write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM workspaces WHERE slug = ?", arguments: [workspace.slug]) {
                return try Workspace(row: row)
            }
            try Self.insert(workspace, db)
            return workspace
        }
    }

    public func workspace(id: Workspace.ID) async throws -> Workspace? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM workspaces WHERE id = ?", arguments: [id.rawValue]).map(Workspace.init(row:))
        }
    }

    public func insertAPIKey(_ key: APIKey, by change: ChangeContext) async throws {
        try await write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM workspaces WHERE id = ?", arguments: [key.workspaceID.rawValue]) != nil
            else { throw StoreError.notFound("workspace \(key.workspaceID)") }
            try Self.insert(key, db)
        }
    }

    public func apiKey(secretHash: String) async throws -> APIKey? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE secret_hash = ?", arguments: [secretHash])
                .map(APIKey.init(row:))
        }
    }

    public func apiKeys(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<APIKey> {
        try await read { db in
            try Self.requireCursor(
                db, page.after, sql: "SELECT 1 FROM api_keys WHERE workspace_id = ? AND id = ?",
                arguments: [workspace.rawValue])
            let limit = max(page.limit, 1)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM api_keys WHERE workspace_id = ? AND (? IS NULL OR id < ?)
                    ORDER BY id DESC LIMIT ?
                    """, arguments: [workspace.rawValue, page.after, page.after, limit + 1])
            return Self.page(try rows.map(APIKey.init(row:)), limit: limit, key: \.id.rawValue)
        }
    }

    public func revokeAPIKey(_ id: APIKey.ID, in workspace: Workspace.ID, at now: Date, by change: ChangeContext)
        async throws -> Bool
    {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND workspace_id = ?",
                arguments: [now.unixTime, id.rawValue, workspace.rawValue])
            return db.changesCount > 0
        }
    }

    static func insert(_ workspace: Workspace, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO workspaces (id, slug, created_at) VALUES (?, ?, ?)",
            arguments: [workspace.id.rawValue, workspace.slug, workspace.createdAt.unixTime])
    }

    static func insert(_ key: APIKey, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO api_keys (id, workspace_id, name, prefix, secret_hash, scopes, created_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                key.id.rawValue, key.workspaceID.rawValue, key.name, key.prefix, key.secretHash,
                APIScope.storedText(key.scopes), key.createdAt.unixTime, key.revokedAt?.unixTime,
            ])
    }
}
