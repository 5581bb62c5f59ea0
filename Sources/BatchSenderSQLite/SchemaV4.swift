import GRDB

/// Provider delivery events and engagement counts.
enum SchemaV4 {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE provider_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    send_config_id TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    hard INTEGER,
                    detail TEXT,
                    occurred_at REAL NOT NULL,
                    received_at REAL NOT NULL,
                    recipient_key TEXT,
                    batch_id TEXT,
                    recipient_id INTEGER,
                    effect TEXT NOT NULL
                );
                -- Duplicates: a provider event id is recorded once per send config.
                CREATE UNIQUE INDEX provider_events_dedupe ON provider_events(send_config_id, event_id);
                -- Events waiting for their message's outcome.
                CREATE INDEX provider_events_pending ON provider_events(message_id) WHERE recipient_id IS NULL;
                -- A recipient's timeline.
                CREATE INDEX provider_events_recipient ON provider_events(recipient_id) WHERE recipient_id IS NOT NULL;
                ALTER TABLE batches ADD COLUMN count_opened INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE batches ADD COLUMN count_clicked INTEGER NOT NULL DEFAULT 0;
                """)
    }
}
