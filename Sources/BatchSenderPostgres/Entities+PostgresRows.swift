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
            createdAt: try row.required("created_at"), revokedAt: try row.optional("revoked_at"))
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
