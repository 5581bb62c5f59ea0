import GRDB

/// The delivery queue: lease tokens, the claim and lease indexes, leader leases and the
/// sandbox's sent messages.
enum SchemaV2 {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE recipients ADD COLUMN lease_token INTEGER;
                -- Claims: one batch's due queued recipients in due order, without a sort.
                CREATE INDEX recipients_claim ON recipients(batch_id, status, next_attempt_at);
                -- The rescuer: expired leases among recipients in flight.
                CREATE INDEX recipients_leases ON recipients(lease_expires_at) WHERE status = 'sending';
                CREATE TABLE leader_leases (
                    name TEXT PRIMARY KEY NOT NULL,
                    holder TEXT NOT NULL,
                    expires_at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE sandbox_messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    batch_id TEXT NOT NULL,
                    recipient_id INTEGER NOT NULL,
                    send_config_id TEXT NOT NULL,
                    provider_message_id TEXT NOT NULL,
                    content TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX sandbox_messages_batch ON sandbox_messages(batch_id, id);
                """)
    }
}
