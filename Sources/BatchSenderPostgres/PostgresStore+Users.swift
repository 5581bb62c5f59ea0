import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore: UserStore {
    public func insertUser(_ user: User, by change: ChangeContext) async throws {
        try await transaction { connection in
            guard try await Self.workspaceExists(user.workspaceID, connection, logger) else {
                throw StoreError.notFound("workspace \(user.workspaceID)")
            }
            // ON CONFLICT waits for a concurrent insert of the same email and then does nothing:
            // the unique index decides, and the loser gets a clear conflict.
            let inserted = try await connection.row(
                """
                INSERT INTO users (id, workspace_id, email, normalized_email, role, password_hash, created_at, updated_at)
                VALUES (\(user.id.rawValue), \(user.workspaceID.rawValue), \(user.email), \(user.normalizedEmail),
                    \(user.role.rawValue), \(user.passwordHash), \(user.createdAt), \(user.updatedAt))
                ON CONFLICT (normalized_email) DO NOTHING RETURNING id
                """, logger: logger)
            guard inserted != nil else { throw StoreError.conflict("a user with email \(user.email) exists") }
        }
    }

    public func user(_ id: User.ID, in workspace: Workspace.ID) async throws -> User? {
        try await read { connection in
            try await connection.row(
                "SELECT * FROM users WHERE id = \(id.rawValue) AND workspace_id = \(workspace.rawValue)", logger: logger
            ).map(User.init(postgres:))
        }
    }

    public func user(email: String) async throws -> User? {
        let key = User.normalize(email: email)
        return try await read { connection in
            try await connection.row("SELECT * FROM users WHERE normalized_email = \(key)", logger: logger)
                .map(User.init(postgres:))
        }
    }

    public func users(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<User> {
        let limit = Self.limit(of: page)
        return try await read { connection in
            let rows: [PostgresRandomAccessRow]
            if let after = page.after {
                let cursor = try await connection.row(
                    "SELECT 1 FROM users WHERE workspace_id = \(workspace.rawValue) AND id = \(after)", logger: logger)
                guard cursor != nil else { throw StoreError.invalidCursor }
                rows = try await connection.rows(
                    """
                    SELECT * FROM users WHERE workspace_id = \(workspace.rawValue) AND id < \(after)
                    ORDER BY id DESC LIMIT \(limit + 1)
                    """, logger: logger)
            } else {
                rows = try await connection.rows(
                    "SELECT * FROM users WHERE workspace_id = \(workspace.rawValue) ORDER BY id DESC LIMIT \(limit + 1)",
                    logger: logger)
            }
            return Self.page(try rows.map(User.init(postgres:)), limit: limit, key: \.id.rawValue)
        }
    }

    public func updateUser(_ user: User, by change: ChangeContext) async throws {
        try await transaction { connection in
            let updated = try await connection.row(
                """
                UPDATE users SET role = \(user.role.rawValue), password_hash = \(user.passwordHash),
                    updated_at = \(user.updatedAt)
                WHERE id = \(user.id.rawValue) AND workspace_id = \(user.workspaceID.rawValue) RETURNING id
                """, logger: logger)
            guard updated != nil else { throw StoreError.notFound("user \(user.id)") }
        }
    }

    public func deleteUser(_ id: User.ID, in workspace: Workspace.ID, by change: ChangeContext) async throws -> Bool {
        try await transaction { connection in
            try await connection.row(
                "DELETE FROM users WHERE id = \(id.rawValue) AND workspace_id = \(workspace.rawValue) RETURNING id",
                logger: logger) != nil
        }
    }
}
