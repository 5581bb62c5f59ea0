import GRDB

extension SQLiteStore {
    /// The schema's history. Never edit a registered migration: add "v2", "v3", …
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: SchemaV1.create)
        migrator.registerMigration("v2", migrate: SchemaV2.create)
        migrator.registerMigration("v3", migrate: SchemaV3.create)
        migrator.registerMigration("v4", migrate: SchemaV4.create)
        migrator.registerMigration("v5", migrate: SchemaV5.create)
        migrator.registerMigration("v6", migrate: SchemaV6.create)
        return migrator
    }()
}

/// The first schema. Dates are REAL unix seconds; JSON is stored as text.
enum SchemaV1 {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE workspaces (
                    id TEXT PRIMARY KEY NOT NULL,
                    slug TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL
                );
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL,
                    revoked_at REAL
                );
                CREATE INDEX api_keys_workspace ON api_keys(workspace_id, id);
                CREATE TABLE send_configs (
                    id TEXT PRIMARY KEY NOT NULL,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    module TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    sealed_credentials BLOB NOT NULL,
                    credential_hints TEXT NOT NULL,
                    settings TEXT NOT NULL,
                    rate_per_second REAL,
                    rate_burst INTEGER,
                    max_concurrency INTEGER,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX send_configs_workspace ON send_configs(workspace_id, id);
                CREATE TABLE batches (
                    id TEXT PRIMARY KEY NOT NULL,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    -- No foreign key: finished batches outlive their send config.
                    send_config_id TEXT NOT NULL,
                    module TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL,
                    dry_run INTEGER NOT NULL,
                    max_attempts INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    scheduled_at REAL,
                    started_at REAL,
                    completed_at REAL,
                    updated_at REAL NOT NULL,
                    count_pending INTEGER NOT NULL DEFAULT 0,
                    count_queued INTEGER NOT NULL DEFAULT 0,
                    count_sending INTEGER NOT NULL DEFAULT 0,
                    count_sent INTEGER NOT NULL DEFAULT 0,
                    count_delivered INTEGER NOT NULL DEFAULT 0,
                    count_failed INTEGER NOT NULL DEFAULT 0,
                    count_bounced INTEGER NOT NULL DEFAULT 0,
                    count_complained INTEGER NOT NULL DEFAULT 0,
                    count_suppressed INTEGER NOT NULL DEFAULT 0,
                    count_cancelled INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX batches_workspace ON batches(workspace_id, id);
                CREATE INDEX batches_send_config ON batches(send_config_id, status);
                CREATE INDEX batches_status ON batches(status, scheduled_at);
                -- AUTOINCREMENT: a row number, hence a recipient id, is never reused.
                CREATE TABLE recipients (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    batch_id TEXT NOT NULL,
                    to_address TEXT NOT NULL,
                    normalized_to TEXT NOT NULL,
                    variables TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    provider_message_id TEXT,
                    next_attempt_at REAL,
                    lease_expires_at REAL,
                    sent_at REAL,
                    delivered_at REAL,
                    updated_at REAL NOT NULL,
                    UNIQUE (batch_id, normalized_to)
                );
                -- Paging a batch's recipients in row order, with and without a status filter.
                CREATE INDEX recipients_batch ON recipients(batch_id, id);
                CREATE INDEX recipients_batch_status ON recipients(batch_id, status, id);
                -- For the dispatcher: due queued recipients. Partial, so that adding (pending)
                -- recipients does not pay for it; queries must say `status = 'queued'` literally.
                CREATE INDEX recipients_due ON recipients(status, next_attempt_at) WHERE status = 'queued';
                CREATE INDEX recipients_provider_message
                    ON recipients(provider_message_id) WHERE provider_message_id IS NOT NULL;
                CREATE TABLE suppressions (
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    address TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (workspace_id, address)
                ) WITHOUT ROWID;
                CREATE TABLE idempotency_keys (
                    workspace_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    -- NULL while the first request is in progress.
                    status INTEGER,
                    content_type TEXT,
                    body BLOB,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (workspace_id, key)
                ) WITHOUT ROWID;
                CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
                """)
    }
}
