import GRDB

/// API key scopes and dashboard users (CONTRACT §10).
///
/// Keys made before scopes existed could do everything, so they get `["admin"]`: the column's
/// default fills every existing row. A user's `normalized_email` (lowercased, computed by the
/// store from `User.normalize`) carries the uniqueness, so case-insensitivity is one rule on every
/// driver rather than SQLite's ASCII-only `NOCASE`.
enum SchemaV6 {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT '["admin"]';
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    email TEXT NOT NULL,
                    normalized_email TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX users_workspace ON users(workspace_id, id);
                """)
    }
}
