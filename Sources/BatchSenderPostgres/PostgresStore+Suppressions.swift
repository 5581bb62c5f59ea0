import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore: SuppressionStore {
    public func addSuppression(_ suppression: Suppression) async throws -> (Suppression, created: Bool) {
        let (stored, created) = try await transaction { connection -> (Suppression, Bool) in
            // ON CONFLICT waits for a concurrent insert of the same address, so the SELECT sees it.
            let inserted = try await connection.row(
                """
                INSERT INTO suppressions (workspace_id, address, reason, created_at)
                VALUES (\(suppression.workspaceID.rawValue), \(suppression.address), \(suppression.reason.rawValue),
                    \(suppression.createdAt))
                ON CONFLICT (workspace_id, address) DO NOTHING RETURNING address
                """, logger: logger)
            if inserted != nil { return (suppression, true) }
            guard let existing = try await Self.fetchSuppression(suppression.address, in: suppression.workspaceID, connection, logger)
            else { throw PostgresStoreError.corruptRow("suppressions") }
            return (existing, false)
        }
        return (stored, created)
    }

    public func suppression(_ address: String, in workspace: Workspace.ID) async throws -> Suppression? {
        try await read { connection in try await Self.fetchSuppression(address, in: workspace, connection, logger) }
    }

    public func suppressions(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<Suppression> {
        let limit = Self.limit(of: page)
        return try await read { connection in
            let rows: [PostgresRandomAccessRow]
            if let after = page.after {
                guard try await Self.fetchSuppression(after, in: workspace, connection, logger) != nil else {
                    throw StoreError.invalidCursor
                }
                // `address` is COLLATE "C": byte order, as the cursor comparison assumes.
                rows = try await connection.rows(
                    """
                    SELECT * FROM suppressions WHERE workspace_id = \(workspace.rawValue) AND address > \(after)
                    ORDER BY address LIMIT \(limit + 1)
                    """, logger: logger)
            } else {
                rows = try await connection.rows(
                    "SELECT * FROM suppressions WHERE workspace_id = \(workspace.rawValue) ORDER BY address LIMIT \(limit + 1)",
                    logger: logger)
            }
            return Self.page(try rows.map(Suppression.init(postgres:)), limit: limit, key: \.address)
        }
    }

    public func removeSuppression(_ address: String, in workspace: Workspace.ID) async throws -> Bool {
        try await transaction { connection in
            try await connection.row(
                """
                DELETE FROM suppressions WHERE workspace_id = \(workspace.rawValue) AND address = \(address)
                RETURNING address
                """, logger: logger) != nil
        }
    }

    static func fetchSuppression(
        _ address: String, in workspace: Workspace.ID, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Suppression? {
        try await connection.row(
            "SELECT * FROM suppressions WHERE workspace_id = \(workspace.rawValue) AND address = \(address)",
            logger: logger
        ).map(Suppression.init(postgres:))
    }
}
