import BatchSenderStore

/// Every table `batchsender copy-data` knows, in both drivers' schemas (SQLite `SchemaV1`–`V6`,
/// PostgreSQL `PostgresSchemaV1`–`V4`). A table that either database has and this catalog does not
/// list stops the copy before it starts, and so does a column it does not list: nothing is ever
/// left behind silently. Adding a table is one entry in `copied` (or `notCopied`, with why); a
/// column that is runtime state, or that only one driver has, goes in its entry's `ignoring:`.
/// A table only one driver has belongs in `notCopied`.
enum CopyCatalog {
    /// The state worth moving, in dependency order (referenced tables first): loaded in this
    /// order, emptied in the reverse one.
    static let copied: [CopiedTable] = [
        CopiedTable(CopyTable("workspaces", key: ["id"], columns: [.text("id"), .text("slug"), .time("created_at")])),
        CopiedTable(CopyTable("api_keys", key: ["id"], columns: [
            .text("id"), .text("workspace_id"), .text("name"), .text("prefix"), .text("secret_hash"),
            .json("scopes"), .time("created_at"), .time("revoked_at"),
        ])),
        // Dashboard users: bcrypt hashes are self-contained (salt and cost inside), so they move
        // as they are and the same passwords still work.
        CopiedTable(CopyTable("users", key: ["id"], columns: [
            .text("id"), .text("workspace_id"), .text("email"), .text("normalized_email"), .text("role"),
            .text("password_hash"), .time("created_at"), .time("updated_at"),
        ])),
        // Credentials are sealed under the master key: opened and sealed again when the keys differ.
        CopiedTable(CopyTable("send_configs", key: ["id"], columns: [
            .text("id"), .text("workspace_id"), .text("name"), .text("module"), .text("provider"),
            .bytes("sealed_credentials"), .json("credential_hints"), .json("settings"), .real("rate_per_second"),
            .integer("rate_burst"), .integer("max_concurrency"), .time("created_at"), .time("updated_at"),
        ]), sealed: .sendConfigCredentials),
        CopiedTable(CopyTable("batches", key: ["id"], totals: RecipientCountColumns.all, columns: [
            .text("id"), .text("workspace_id"), .text("name"), .text("send_config_id"), .text("module"),
            .text("provider"), .json("payload"), .text("status"), .boolean("dry_run"), .integer("max_attempts"),
            .time("created_at"), .time("scheduled_at"), .time("started_at"), .time("completed_at"), .time("updated_at"),
        ] + RecipientCountColumns.all.map(CopyColumn.integer))),
        CopiedTable(CopyTable("recipients", key: ["id"], generatedID: "id", totals: ["attempts"], columns: [
            .integer("id"), .text("batch_id"), .text("to_address"), .text("normalized_to"), .json("variables"),
            .text("status"), .integer("attempts"), .text("last_error"), .text("provider_message_id"),
            .time("next_attempt_at"), .time("lease_expires_at"), .integer("lease_token"), .time("sent_at"),
            .time("delivered_at"), .time("updated_at"), .integer("segments"), .integer("retry_generation"),
        ])),
        CopiedTable(CopyTable("suppressions", key: ["workspace_id", "address"], columns: [
            .text("workspace_id"), .text("address"), .text("reason"), .time("created_at"),
        ])),
        // Replays of creates within 24 h: a client retrying across the move still gets its first
        // answer (and creates nothing twice). The stored answers are sealed like credentials.
        CopiedTable(CopyTable("idempotency_keys", key: ["workspace_id", "key"], columns: [
            .text("workspace_id"), .text("key"), .text("request_hash"), .integer("status"), .text("content_type"),
            .bytes("body"), .time("created_at"),
        ]), sealed: .idempotentResponse),
        // Recipients' timelines, deduplication of redelivered events, and events still waiting
        // for their message's outcome.
        CopiedTable(CopyTable("provider_events", key: ["id"], generatedID: "id", columns: [
            .integer("id"), .text("send_config_id"), .text("provider"), .text("event_id"), .text("message_id"),
            .text("kind"), .boolean("hard"), .text("detail"), .time("occurred_at"), .time("received_at"),
            .text("recipient_key"), .text("batch_id"), .integer("recipient_id"), .text("effect"),
        ])),
        // What the sandbox provider "sent": the API shows it, so it is state like any delivery.
        CopiedTable(CopyTable("sandbox_messages", key: ["id"], generatedID: "id", columns: [
            .integer("id"), .text("batch_id"), .integer("recipient_id"), .text("send_config_id"),
            .text("provider_message_id"), .json("content"), .time("created_at"),
        ])),
    ]

    /// Tables that hold no state worth moving, and why.
    static let notCopied: [String: String] = [
        // Who runs maintenance right now: a fact about the source's live processes (their ids),
        // meaningless to the target's, where a copied lease would only delay maintenance.
        "leader_leases": "the running processes' maintenance lease",
        // Each database's own migration history: the target is migrated by this binary first.
        "grdb_migrations": "SQLite's migration history",
        "schema_migrations": "PostgreSQL's migration history",
        // PostgreSQL only: the shared rate limit's arrival time and a provider's pause, runtime
        // state that starts afresh (a missing row is created at the first claim).
        "send_config_throttles": "PostgreSQL's shared rate-limit state",
    ]

    static func entry(named name: String) -> CopiedTable? { copied.first { $0.table.name == name } }
}

/// A table to copy, the sealed data in it that depends on the master key, and the columns it
/// leaves alone.
struct CopiedTable: Sendable {
    var table: CopyTable
    var sealed: SealedData?
    /// Columns neither read nor written, which either database may have or lack: runtime state
    /// of the processes that use the database (a claiming worker's id, say), or state only one
    /// driver keeps. The target's own default fills them.
    var ignored: Set<String>

    init(_ table: CopyTable, sealed: SealedData? = nil, ignoring ignored: Set<String> = []) {
        self.table = table
        self.sealed = sealed
        self.ignored = ignored
    }
}

/// A batch's per-status and engagement counters.
enum RecipientCountColumns {
    static let all = [
        "count_pending", "count_queued", "count_sending", "count_sent", "count_delivered", "count_failed",
        "count_bounced", "count_complained", "count_suppressed", "count_cancelled", "count_opened", "count_clicked",
    ]
}
