import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

// Reading entities from rows. Column names are those of `SchemaV1`.

extension Workspace {
    init(row: Row) throws {
        self.init(id: ID(rawValue: try row.required("id")), slug: try row.required("slug"), createdAt: try row.date("created_at"))
    }
}

extension APIKey {
    init(row: Row) throws {
        self.init(
            id: ID(rawValue: try row.required("id")), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            name: try row.required("name"), prefix: try row.required("prefix"), secretHash: try row.required("secret_hash"),
            scopes: try row.scopes("scopes"), createdAt: try row.date("created_at"), revokedAt: try row.optionalDate("revoked_at"))
    }
}

extension User {
    init(row: Row) throws {
        self.init(
            id: ID(rawValue: try row.required("id")), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            email: try row.required("email"), role: try row.enumValue("role"), passwordHash: try row.required("password_hash"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension SendConfig {
    init(row: Row) throws {
        let hints = try row.jsonObject("credential_hints").compactMapValues(\.stringValue)
        var rateLimit: RateLimit?
        if let perSecond = try row.optional("rate_per_second", as: Double.self) {
            rateLimit = RateLimit(perSecond: perSecond, burst: try row.optional("rate_burst", as: Int.self))
        }
        self.init(
            id: ID(rawValue: try row.required("id")), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            name: try row.required("name"), module: try row.enumValue("module"), provider: try row.enumValue("provider"),
            sealedCredentials: try row.required("sealed_credentials"), credentialHints: hints,
            settings: try row.jsonObject("settings"), rateLimit: rateLimit,
            maxConcurrency: try row.optional("max_concurrency"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }

    /// Arguments for the columns after `id, workspace_id` in `SQLiteStore.sendConfigColumns` order.
    var mutableArguments: StatementArguments {
        let hints = JSONWriter.encode(credentialHints.mapValues(JSONValue.string))
        return [
            name, module.rawValue, provider.rawValue, sealedCredentials, hints, JSONWriter.encode(settings),
            rateLimit?.perSecond, rateLimit?.burst, maxConcurrency, createdAt.unixTime, updatedAt.unixTime,
        ]
    }
}

extension RecipientCounts {
    /// The `count_<status>` columns, in `RecipientStatus.allCases` order.
    static let columns = RecipientStatus.allCases.map { "count_\($0.rawValue)" }

    init(row: Row) throws {
        self.init()
        for status in RecipientStatus.allCases {
            self[status] = try row.required("count_\(status.rawValue)", as: Int.self)
        }
    }
}

extension Batch {
    init(row: Row) throws {
        guard let payload = JSONValue.parse(try row.required("payload", as: String.self)) else {
            throw SQLiteStoreError.corruptRow("payload")
        }
        self.init(
            id: ID(rawValue: try row.required("id")), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            name: try row.required("name"), sendConfigID: SendConfig.ID(rawValue: try row.required("send_config_id")),
            module: try row.enumValue("module"), provider: try row.enumValue("provider"), payload: payload,
            status: try row.enumValue("status"), dryRun: try row.required("dry_run"),
            maxAttempts: try row.required("max_attempts"), createdAt: try row.date("created_at"),
            scheduledAt: try row.optionalDate("scheduled_at"), startedAt: try row.optionalDate("started_at"),
            completedAt: try row.optionalDate("completed_at"), updatedAt: try row.date("updated_at"),
            counts: try RecipientCounts(row: row))
        if row.hasColumn("count_opened") {
            opened = try row.required("count_opened")
            clicked = try row.required("count_clicked")
        }
    }
}

extension Recipient {
    init(row: Row) throws {
        self.init(
            id: ID(row: try row.required("id")), batchID: Batch.ID(rawValue: try row.required("batch_id")),
            to: try row.required("to_address"), variables: try row.jsonObject("variables"),
            status: try row.enumValue("status"), attempts: try row.required("attempts"),
            lastError: try row.optional("last_error"), providerMessageID: try row.optional("provider_message_id"),
            nextAttemptAt: try row.optionalDate("next_attempt_at"), sentAt: try row.optionalDate("sent_at"),
            deliveredAt: try row.optionalDate("delivered_at"), updatedAt: try row.date("updated_at"),
            segments: row.hasColumn("segments") ? try row.optional("segments") : nil)
        if row.hasColumn("retry_generation") { retryGeneration = try row.required("retry_generation") }
    }
}

extension Suppression {
    init(row: Row) throws {
        self.init(
            address: try row.required("address"), workspaceID: Workspace.ID(rawValue: try row.required("workspace_id")),
            reason: try row.enumValue("reason"), createdAt: try row.date("created_at"))
    }
}
