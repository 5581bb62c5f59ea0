import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    public func addSuppression(_ suppression: Suppression) async throws -> (Suppression, created: Bool) {
        let (stored, created) = try await write { db -> (Suppression, Bool) in
            try db.execute(
                sql: "INSERT OR IGNORE INTO suppressions (workspace_id, address, reason, created_at) VALUES (?, ?, ?, ?)",
                arguments: [
                    suppression.workspaceID.rawValue, suppression.address, suppression.reason.rawValue,
                    suppression.createdAt.unixTime,
                ])
            if db.changesCount == 1 { return (suppression, true) }
            guard let existing = try Self.fetchSuppression(suppression.address, in: suppression.workspaceID, db) else {
                throw SQLiteStoreError.corruptRow("suppressions")
            }
            return (existing, false)
        }
        return (stored, created)
    }

    public func suppression(_ address: String, in workspace: Workspace.ID) async throws -> Suppression? {
        try await read { db in try Self.fetchSuppression(address, in: workspace, db) }
    }

    public func suppressions(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<Suppression> {
        try await read { db in
            try Self.requireCursor(
                db, page.after, sql: "SELECT 1 FROM suppressions WHERE workspace_id = ? AND address = ?",
                arguments: [workspace.rawValue])
            let limit = max(page.limit, 1)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM suppressions WHERE workspace_id = ? AND (? IS NULL OR address > ?)
                    ORDER BY address LIMIT ?
                    """, arguments: [workspace.rawValue, page.after, page.after, limit + 1])
            return Self.page(try rows.map(Suppression.init(row:)), limit: limit, key: \.address)
        }
    }

    public func removeSuppression(_ address: String, in workspace: Workspace.ID) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM suppressions WHERE workspace_id = ? AND address = ?",
                arguments: [workspace.rawValue, address])
            return db.changesCount > 0
        }
    }

    static func fetchSuppression(_ address: String, in workspace: Workspace.ID, _ db: Database) throws -> Suppression? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM suppressions WHERE workspace_id = ? AND address = ?",
            arguments: [workspace.rawValue, address]
        ).map(Suppression.init(row:))
    }
}
