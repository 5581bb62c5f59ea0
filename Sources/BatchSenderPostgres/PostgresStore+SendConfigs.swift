import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore: SendConfigStore {
    public func insertSendConfig(_ config: SendConfig) async throws {
        try await transaction { connection in
            guard try await Self.workspaceExists(config.workspaceID, connection, logger) else {
                throw StoreError.notFound("workspace \(config.workspaceID)")
            }
            try await connection.execute(
                """
                INSERT INTO send_configs (id, workspace_id, name, module, provider, sealed_credentials,
                    credential_hints, settings, rate_per_second, rate_burst, max_concurrency, created_at, updated_at)
                VALUES (\(config.id.rawValue), \(config.workspaceID.rawValue), \(config.name), \(config.module.rawValue),
                    \(config.provider.rawValue), \(config.sealedCredentials), \(config.credentialHintsJSON)::jsonb,
                    \(JSONWriter.encode(config.settings))::jsonb, \(config.rateLimit?.perSecond), \(config.rateLimit?.burst),
                    \(config.maxConcurrency), \(config.createdAt), \(config.updatedAt))
                """, logger: logger)
        }
    }

    public func sendConfig(_ id: SendConfig.ID, in workspace: Workspace.ID) async throws -> SendConfig? {
        try await read { connection in
            try await connection.row(
                "SELECT * FROM send_configs WHERE id = \(id.rawValue) AND workspace_id = \(workspace.rawValue)",
                logger: logger
            ).map(SendConfig.init(postgres:))
        }
    }

    public func sendConfigs(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<SendConfig> {
        let limit = Self.limit(of: page)
        return try await read { connection in
            let rows: [PostgresRandomAccessRow]
            if let after = page.after {
                let cursor = try await connection.row(
                    "SELECT 1 FROM send_configs WHERE workspace_id = \(workspace.rawValue) AND id = \(after)", logger: logger)
                guard cursor != nil else { throw StoreError.invalidCursor }
                rows = try await connection.rows(
                    """
                    SELECT * FROM send_configs WHERE workspace_id = \(workspace.rawValue) AND id < \(after)
                    ORDER BY id DESC LIMIT \(limit + 1)
                    """, logger: logger)
            } else {
                rows = try await connection.rows(
                    "SELECT * FROM send_configs WHERE workspace_id = \(workspace.rawValue) ORDER BY id DESC LIMIT \(limit + 1)",
                    logger: logger)
            }
            return Self.page(try rows.map(SendConfig.init(postgres:)), limit: limit, key: \.id.rawValue)
        }
    }

    public func updateSendConfig(_ config: SendConfig) async throws {
        try await transaction { connection in
            let updated = try await connection.row(
                """
                UPDATE send_configs SET name = \(config.name), module = \(config.module.rawValue),
                    provider = \(config.provider.rawValue), sealed_credentials = \(config.sealedCredentials),
                    credential_hints = \(config.credentialHintsJSON)::jsonb, settings = \(JSONWriter.encode(config.settings))::jsonb,
                    rate_per_second = \(config.rateLimit?.perSecond), rate_burst = \(config.rateLimit?.burst),
                    max_concurrency = \(config.maxConcurrency), created_at = \(config.createdAt), updated_at = \(config.updatedAt)
                WHERE id = \(config.id.rawValue) AND workspace_id = \(config.workspaceID.rawValue)
                RETURNING id
                """, logger: logger)
            guard updated != nil else { throw StoreError.notFound("send config \(config.id)") }
        }
    }

    public func deleteSendConfig(_ id: SendConfig.ID, in workspace: Workspace.ID) async throws {
        let active = BatchStatus.allCases.filter(BatchStatus.active.contains).map(\.rawValue)
        try await transaction { connection in
            // FOR UPDATE: a concurrent delete of the same config waits here and then finds it gone.
            let config = try await connection.row(
                "SELECT 1 FROM send_configs WHERE id = \(id.rawValue) AND workspace_id = \(workspace.rawValue) FOR UPDATE",
                logger: logger)
            guard config != nil else { throw StoreError.notFound("send config \(id)") }
            let inUse = try await connection.row(
                "SELECT 1 FROM batches WHERE send_config_id = \(id.rawValue) AND status = ANY(\(active)) LIMIT 1",
                logger: logger)
            if inUse != nil { throw StoreError.conflict("send config \(id) is used by an active batch") }
            try await connection.execute("DELETE FROM send_configs WHERE id = \(id.rawValue)", logger: logger)
        }
    }
}
