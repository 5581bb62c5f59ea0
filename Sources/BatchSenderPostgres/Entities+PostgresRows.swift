import BatchSenderCore
import Foundation
import PostgresNIO

// Reading entities from rows. Column names are those of `PostgresSchemaV1`.

extension Workspace {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(id: ID(rawValue: try row.required("id")), slug: try row.required("slug"), createdAt: try row.required("created_at"))
    }
}

extension APIKey {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: ID(rawValue: try row.required("id")), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            name: try row.required("name"), prefix: try row.required("prefix"), secretHash: try row.required("secret_hash"),
            scopes: try row.scopes("scopes"), createdAt: try row.required("created_at"), revokedAt: try row.optional("revoked_at"))
    }
}

extension User {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: ID(rawValue: try row.required("id")), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            email: try row.required("email"), role: try row.enumValue("role"), passwordHash: try row.required("password_hash"),
            createdAt: try row.required("created_at"), updatedAt: try row.required("updated_at"))
    }
}

extension SendConfig {
    init(postgres row: PostgresRandomAccessRow) throws {
        var hints: [String: String] = [:]
        for (name, value) in try row.jsonObject("credential_hints") {
            guard let hint = value.stringValue else { throw PostgresStoreError.corruptRow("credential_hints") }
            hints[name] = hint
        }
        var rateLimit: RateLimit?
        if let perSecond = try row.optional("rate_per_second", as: Double.self) {
            rateLimit = RateLimit(perSecond: perSecond, burst: try row.optional("rate_burst", as: Int.self))
        }
        self.init(
            id: ID(rawValue: try row.required("id")), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            name: try row.required("name"), module: try row.enumValue("module"), provider: try row.enumValue("provider"),
            sealedCredentials: try row.required("sealed_credentials", as: Data.self), credentialHints: hints,
            settings: try row.jsonObject("settings"), rateLimit: rateLimit,
            maxConcurrency: try row.optional("max_concurrency"), createdAt: try row.required("created_at"),
            updatedAt: try row.required("updated_at"))
    }

    /// `credentialHints` as the JSON text of the `credential_hints` column.
    var credentialHintsJSON: String { JSONWriter.encode(credentialHints.mapValues(JSONValue.string)) }
}

extension Suppression {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            address: try row.required("address"), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            reason: try row.enumValue("reason"), createdAt: try row.required("created_at"))
    }
}

extension RecipientCounts {
    /// The `count_<status>` columns, in `RecipientStatus.allCases` order.
    static let columns = RecipientStatus.allCases.map { "count_\($0.rawValue)" }

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init()
        for status in RecipientStatus.allCases {
            self[status] = try row.required("count_\(status.rawValue)", as: Int.self)
        }
    }
}

extension Batch {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: ID(rawValue: try row.required("id")), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            name: try row.required("name"), sendConfigID: SendConfig.ID(rawValue: try row.required("send_config_id")),
            module: try row.enumValue("module"), provider: try row.enumValue("provider"), payload: try row.json("payload"),
            status: try row.enumValue("status"), dryRun: try row.required("dry_run"),
            maxAttempts: try row.required("max_attempts"), createdAt: try row.required("created_at"),
            scheduledAt: try row.optional("scheduled_at"), startedAt: try row.optional("started_at"),
            completedAt: try row.optional("completed_at"), updatedAt: try row.required("updated_at"),
            counts: try RecipientCounts(postgres: row))
        opened = try row.required("count_opened")
        clicked = try row.required("count_clicked")
    }
}

extension Recipient {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: ID(row: try row.required("id", as: Int64.self)), batchID: Batch.ID(rawValue: try row.required("batch_id")),
            to: try row.required("to_address"), variables: try row.jsonObject("variables"),
            status: try row.enumValue("status"), attempts: try row.required("attempts"),
            lastError: try row.optional("last_error"), providerMessageID: try row.optional("provider_message_id"),
            nextAttemptAt: try row.optional("next_attempt_at"), sentAt: try row.optional("sent_at"),
            deliveredAt: try row.optional("delivered_at"), updatedAt: try row.required("updated_at"),
            segments: try row.optional("segments"))
        retryGeneration = try row.required("retry_generation")
    }
}
