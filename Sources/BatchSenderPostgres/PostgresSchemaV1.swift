/// The first PostgreSQL schema: every table of the SQLite driver as of its migration v5, in one
/// step (PostgreSQL support starts here, so there is no older PostgreSQL schema to upgrade).
///
/// Types: `timestamptz` for times, `jsonb` for JSON, `bytea` for sealed blobs, `bigint` identity
/// ids where SQLite had row ids. Text that lists are ordered by (ids, suppression addresses) is
/// `COLLATE "C"`, so pages come out in byte order whatever the database's default collation is,
/// as on SQLite. Indexes mirror SQLite's, partial ones included.
enum PostgresSchemaV1 {
    static let migration = PostgresMigration(version: 1, name: "initial schema", statements: tables + indexes)

    private static let tables = [
        """
        CREATE TABLE workspaces (
            id text COLLATE "C" PRIMARY KEY,
            slug text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE api_keys (
            id text COLLATE "C" PRIMARY KEY,
            workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            name text NOT NULL,
            prefix text NOT NULL,
            secret_hash text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL,
            revoked_at timestamptz
        )
        """,
        """
        CREATE TABLE send_configs (
            id text COLLATE "C" PRIMARY KEY,
            workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            name text NOT NULL,
            module text NOT NULL,
            provider text NOT NULL,
            sealed_credentials bytea NOT NULL,
            credential_hints jsonb NOT NULL,
            settings jsonb NOT NULL,
            rate_per_second double precision,
            rate_burst integer,
            max_concurrency integer,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE batches (
            id text COLLATE "C" PRIMARY KEY,
            workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            name text NOT NULL,
            -- No foreign key: finished batches outlive their send config.
            send_config_id text COLLATE "C" NOT NULL,
            module text NOT NULL,
            provider text NOT NULL,
            payload jsonb NOT NULL,
            status text NOT NULL,
            dry_run boolean NOT NULL,
            max_attempts integer NOT NULL,
            created_at timestamptz NOT NULL,
            scheduled_at timestamptz,
            started_at timestamptz,
            completed_at timestamptz,
            updated_at timestamptz NOT NULL,
            count_pending bigint NOT NULL DEFAULT 0,
            count_queued bigint NOT NULL DEFAULT 0,
            count_sending bigint NOT NULL DEFAULT 0,
            count_sent bigint NOT NULL DEFAULT 0,
            count_delivered bigint NOT NULL DEFAULT 0,
            count_failed bigint NOT NULL DEFAULT 0,
            count_bounced bigint NOT NULL DEFAULT 0,
            count_complained bigint NOT NULL DEFAULT 0,
            count_suppressed bigint NOT NULL DEFAULT 0,
            count_cancelled bigint NOT NULL DEFAULT 0,
            count_opened bigint NOT NULL DEFAULT 0,
            count_clicked bigint NOT NULL DEFAULT 0
        )
        """,
        // An identity is never reused (like SQLite's AUTOINCREMENT), so a recipient id is never reused.
        """
        CREATE TABLE recipients (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            batch_id text COLLATE "C" NOT NULL,
            to_address text NOT NULL,
            normalized_to text NOT NULL,
            variables jsonb NOT NULL,
            status text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            last_error text,
            provider_message_id text,
            next_attempt_at timestamptz,
            lease_expires_at timestamptz,
            lease_token bigint,
            sent_at timestamptz,
            delivered_at timestamptz,
            updated_at timestamptz NOT NULL,
            segments integer,
            retry_generation integer NOT NULL DEFAULT 0,
            UNIQUE (batch_id, normalized_to)
        )
        """,
        """
        CREATE TABLE suppressions (
            workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            address text COLLATE "C" NOT NULL,
            reason text NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (workspace_id, address)
        )
        """,
        """
        CREATE TABLE idempotency_keys (
            workspace_id text COLLATE "C" NOT NULL,
            key text NOT NULL,
            request_hash text NOT NULL,
            -- NULL while the first request is in progress.
            status integer,
            content_type text,
            body bytea,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (workspace_id, key)
        )
        """,
        """
        CREATE TABLE leader_leases (
            name text PRIMARY KEY,
            holder text NOT NULL,
            expires_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE sandbox_messages (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            batch_id text COLLATE "C" NOT NULL,
            recipient_id bigint NOT NULL,
            send_config_id text COLLATE "C" NOT NULL,
            provider_message_id text NOT NULL,
            content jsonb NOT NULL,
            created_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE provider_events (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            send_config_id text COLLATE "C" NOT NULL,
            provider text NOT NULL,
            event_id text NOT NULL,
            message_id text NOT NULL,
            kind text NOT NULL,
            hard boolean,
            detail text,
            occurred_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL,
            recipient_key text,
            batch_id text COLLATE "C",
            recipient_id bigint,
            effect text NOT NULL
        )
        """,
    ]

    private static let indexes = [
        "CREATE INDEX api_keys_workspace ON api_keys (workspace_id, id)",
        "CREATE INDEX send_configs_workspace ON send_configs (workspace_id, id)",
        "CREATE INDEX batches_workspace ON batches (workspace_id, id)",
        "CREATE INDEX batches_send_config ON batches (send_config_id, status)",
        "CREATE INDEX batches_status ON batches (status, scheduled_at)",
        // Paging a batch's recipients in row order, with and without a status filter.
        "CREATE INDEX recipients_batch ON recipients (batch_id, id)",
        "CREATE INDEX recipients_batch_status ON recipients (batch_id, status, id)",
        // Due queued recipients; partial, so adding (pending) recipients does not pay for it.
        "CREATE INDEX recipients_due ON recipients (status, next_attempt_at) WHERE status = 'queued'",
        """
        CREATE INDEX recipients_provider_message ON recipients (provider_message_id)
            WHERE provider_message_id IS NOT NULL
        """,
        // Claims: replaced by PostgresSchemaV3 (this one made every claim sort the batch).
        "CREATE INDEX recipients_claim ON recipients (batch_id, status, next_attempt_at)",
        // The rescuer: expired leases among recipients in flight.
        "CREATE INDEX recipients_leases ON recipients (lease_expires_at) WHERE status = 'sending'",
        "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
        "CREATE INDEX sandbox_messages_batch ON sandbox_messages (batch_id, id)",
        // Duplicates: a provider event id is recorded once per send config.
        "CREATE UNIQUE INDEX provider_events_dedupe ON provider_events (send_config_id, event_id)",
        // Events waiting for their message's outcome.
        "CREATE INDEX provider_events_pending ON provider_events (message_id) WHERE recipient_id IS NULL",
        // A recipient's timeline.
        "CREATE INDEX provider_events_recipient ON provider_events (recipient_id) WHERE recipient_id IS NOT NULL",
    ]
}
