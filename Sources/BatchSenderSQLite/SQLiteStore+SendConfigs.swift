import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    public func insertSendConfig(_ config: SendConfig) async throws {
        try await write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM workspaces WHERE id = ?", arguments: [config.workspaceID.rawValue])
                != nil
            else { throw StoreError.notFound("workspace \(config.workspaceID)") }
            var arguments: StatementArguments = [config.id.rawValue, config.workspaceID.rawValue]
            arguments += config.mutableArguments
            try db.execute(
                sql: """
                    INSERT INTO send_configs (id, workspace_id, name, module, provider, sealed_credentials,
                        credential_hints, settings, rate_per_second, rate_burst, max_concurrency, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: arguments)
        }
    }

    public func sendConfig(_ id: SendConfig.ID, in workspace: Workspace.ID) async throws -> SendConfig? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM send_configs WHERE id = ? AND workspace_id = ?",
                arguments: [id.rawValue, workspace.rawValue]
            ).map(SendConfig.init(row:))
        }
    }

    public func sendConfigs(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<SendConfig> {
        try await read { db in
            try Self.requireCursor(
                db, page.after, sql: "SELECT 1 FROM send_configs WHERE workspace_id = ? AND id = ?",
                arguments: [workspace.rawValue])
            let limit = max(page.limit, 1)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM send_configs WHERE workspace_id = ? AND (? IS NULL OR id < ?)
                    ORDER BY id DESC LIMIT ?
                    """, arguments: [workspace.rawValue, page.after, page.after, limit + 1])
            return Self.page(try rows.map(SendConfig.init(row:)), limit: limit, key: \.id.rawValue)
        }
    }

    public func updateSendConfig(_ config: SendConfig) async throws {
        try await write { db in
            var arguments = config.mutableArguments
            arguments += [config.id.rawValue, config.workspaceID.rawValue]
            try db.execute(
                sql: """
                    UPDATE send_configs SET name = ?, module = ?, provider = ?, sealed_credentials = ?,
                        credential_hints = ?, settings = ?, rate_per_second = ?, rate_burst = ?,
                        max_concurrency = ?, created_at = ?, updated_at = ?
                    WHERE id = ? AND workspace_id = ?
                    """, arguments: arguments)
            guard db.changesCount == 1 else { throw StoreError.notFound("send config \(config.id)") }
        }
    }

    public func deleteSendConfig(_ id: SendConfig.ID, in workspace: Workspace.ID) async throws {
        try await write { db in
            guard try Row.fetchOne(
                    db, sql: "SELECT 1 FROM send_configs WHERE id = ? AND workspace_id = ?",
                    arguments: [id.rawValue, workspace.rawValue]) != nil
            else { throw StoreError.notFound("send config \(id)") }
            var arguments: StatementArguments = [id.rawValue]
            let active = BatchStatus.allCases.filter(BatchStatus.active.contains)
            arguments += StatementArguments(active.map(\.rawValue))
            let placeholders = Array(repeating: "?", count: active.count).joined(separator: ", ")
            let inUse = try Row.fetchOne(
                db, sql: "SELECT 1 FROM batches WHERE send_config_id = ? AND status IN (\(placeholders)) LIMIT 1",
                arguments: arguments)
            if inUse != nil { throw StoreError.conflict("send config \(id) is used by an active batch") }
            try db.execute(sql: "DELETE FROM send_configs WHERE id = ?", arguments: [id.rawValue])
        }
    }
}
