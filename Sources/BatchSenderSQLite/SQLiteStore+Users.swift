import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    public func insertUser(_ user: User, by change: ChangeContext) async throws {
        try await write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM workspaces WHERE id = ?", arguments: [user.workspaceID.rawValue]) != nil
            else { throw StoreError.notFound("workspace \(user.workspaceID)") }
            // The UNIQUE index decides races; this check only words the common case clearly.
            guard try Row.fetchOne(
                db, sql: "SELECT 1 FROM users WHERE normalized_email = ?", arguments: [user.normalizedEmail]) == nil
            else { throw StoreError.conflict("a user with email \(user.email) exists") }
            try db.execute(
                sql: """
                    INSERT INTO users (id, workspace_id, email, normalized_email, role, password_hash, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    user.id.rawValue, user.workspaceID.rawValue, user.email, user.normalizedEmail, user.role.rawValue,
                    user.passwordHash, user.createdAt.unixTime, user.updatedAt.unixTime,
                ])
        }
    }

    public func user(_ id: User.ID, in workspace: Workspace.ID) async throws -> User? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM users WHERE id = ? AND workspace_id = ?", arguments: [id.rawValue, workspace.rawValue]
            ).map(User.init(row:))
        }
    }

    public func user(email: String) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE normalized_email = ?", arguments: [User.normalize(email: email)])
                .map(User.init(row:))
        }
    }

    public func users(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<User> {
        try await read { db in
            try Self.requireCursor(
                db, page.after, sql: "SELECT 1 FROM users WHERE workspace_id = ? AND id = ?", arguments: [workspace.rawValue])
            let limit = max(page.limit, 1)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM users WHERE workspace_id = ? AND (? IS NULL OR id < ?)
                    ORDER BY id DESC LIMIT ?
                    """, arguments: [workspace.rawValue, page.after, page.after, limit + 1])
            return Self.page(try rows.map(User.init(row:)), limit: limit, key: \.id.rawValue)
        }
    }

    public func updateUser(_ user: User, by change: ChangeContext) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE users SET role = ?, password_hash = ?, updated_at = ? WHERE id = ? AND workspace_id = ?",
                arguments: [
                    user.role.rawValue, user.passwordHash, user.updatedAt.unixTime, user.id.rawValue, user.workspaceID.rawValue,
                ])
            guard db.changesCount > 0 else { throw StoreError.notFound("user \(user.id)") }
        }
    }

    public func deleteUser(_ id: User.ID, in workspace: Workspace.ID, by change: ChangeContext) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM users WHERE id = ? AND workspace_id = ?", arguments: [id.rawValue, workspace.rawValue])
            return db.changesCount > 0
        }
    }
}
