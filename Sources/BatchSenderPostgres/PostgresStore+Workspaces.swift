import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore: WorkspaceStore {
    public func bootstrap(workspace: Workspace, key: APIKey) async throws -> Bool {
        guard key.workspaceID == workspace.id else { throw StoreError.notFound("workspace \(key.workspaceID)") }
        return try await transaction { connection in
            // Under READ COMMITTED two first starts would both see no workspace. This lock
            // conflicts with itself and with every insert, so starts (and a concurrent
            // `keys create`) take turns, and the second sees the first's workspace.
            try await connection.execute("LOCK TABLE workspaces IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            guard try await connection.row("SELECT 1 FROM workspaces LIMIT 1", logger: logger) == nil else { return false }
            try await Self.insert(workspace, connection, logger)
            try await Self.insert(key, connection, logger)
            return true
        }
    }

    public func ensureWorkspace(_ workspace: Workspace) async throws -> Workspace {
        try await transaction { connection in
            // ON CONFLICT waits for a concurrent insert of the same slug, so the SELECT below sees it.
            let inserted = try await connection.row(
                """
                INSERT INTO workspaces (id, slug, created_at)
                VALUES (\(workspace.id.rawValue), \(workspace.slug), \(workspace.createdAt))
                ON CONFLICT (slug) DO NOTHING RETURNING id
                """, logger: logger)
            if inserted != nil { return workspace }
            guard let row = try await connection.row(
                "SELECT * FROM workspaces WHERE slug = \(workspace.slug)", logger: logger)
            else { throw PostgresStoreError.corruptRow("workspaces") }
            return try Workspace(postgres: row)
        }
    }

    public func workspace(id: Workspace.ID) async throws -> Workspace? {
        try await read { connection in
            try await connection.row("SELECT * FROM workspaces WHERE id = \(id.rawValue)", logger: logger)
                .map(Workspace.init(postgres:))
        }
    }

    public func insertAPIKey(_ key: APIKey, by change: ChangeContext) async throws {
        try await transaction { connection in
            guard try await Self.workspaceExists(key.workspaceID, connection, logger) else {
                throw StoreError.notFound("workspace \(key.workspaceID)")
            }
            try await Self.insert(key, connection, logger)
        }
    }

    public func apiKey(secretHash: String) async throws -> APIKey? {
        try await read { connection in
            try await connection.row("SELECT * FROM api_keys WHERE secret_hash = \(secretHash)", logger: logger)
                .map(APIKey.init(postgres:))
        }
    }

    public func apiKeys(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<APIKey> {
        let limit = Self.limit(of: page)
        return try await read { connection in
            let rows: [PostgresRandomAccessRow]
            if let after = page.after {
                let cursor = try await connection.row(
                    "SELECT 1 FROM api_keys WHERE workspace_id = \(workspace.rawValue) AND id = \(after)", logger: logger)
                guard cursor != nil else { throw StoreError.invalidCursor }
                rows = try await connection.rows(
                    """
                    SELECT * FROM api_keys WHERE workspace_id = \(workspace.rawValue) AND id < \(after)
                    ORDER BY id DESC LIMIT \(limit + 1)
                    """, logger: logger)
            } else {
                rows = try await connection.rows(
                    "SELECT * FROM api_keys WHERE workspace_id = \(workspace.rawValue) ORDER BY id DESC LIMIT \(limit + 1)",
                    logger: logger)
            }
            return Self.page(try rows.map(APIKey.init(postgres:)), limit: limit, key: \.id.rawValue)
        }
    }

    public func revokeAPIKey(_ id: APIKey.ID, in workspace: Workspace.ID, at now: Date, by change: ChangeContext)
        async throws -> Bool
    {
        try await transaction { connection in
            try await connection.row(
                """
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, \(now))
                WHERE id = \(id.rawValue) AND workspace_id = \(workspace.rawValue) RETURNING id
                """, logger: logger) != nil
        }
    }

    static func workspaceExists(_ id: Workspace.ID, _ connection: PostgresConnection, _ logger: Logger) async throws -> Bool {
        try await connection.row("SELECT 1 FROM workspaces WHERE id = \(id.rawValue)", logger: logger) != nil
    }

    static func insert(_ workspace: Workspace, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.execute(
            """
            INSERT INTO workspaces (id, slug, created_at)
            VALUES (\(workspace.id.rawValue), \(workspace.slug), \(workspace.createdAt))
            """, logger: logger)
    }

    static func insert(_ key: APIKey, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.execute(
            """
            INSERT INTO api_keys (id, workspace_id, name, prefix, secret_hash, scopes, created_at, revoked_at)
            VALUES (\(key.id.rawValue), \(key.workspaceID.rawValue), \(key.name), \(key.prefix), \(key.secretHash),
                \(APIScope.storedText(key.scopes))::jsonb, \(key.createdAt), \(key.revokedAt))
            """, logger: logger)
    }
}
