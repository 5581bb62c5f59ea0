/// API key scopes and dashboard users (CONTRACT §10), as SQLite's migration v6.
///
/// Existing keys could do everything, so the column's default gives them `["admin"]`. A user's
/// `normalized_email` (lowercased by the store, `User.normalize`) carries the uniqueness, so the
/// rule is the same as on SQLite whatever the database's collation.
enum PostgresSchemaV4 {
    static let migration = PostgresMigration(version: 4, name: "api key scopes and users", statements: [
        #"ALTER TABLE api_keys ADD COLUMN scopes jsonb NOT NULL DEFAULT '["admin"]'"#,
        """
        CREATE TABLE users (
            id text COLLATE "C" PRIMARY KEY,
            workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            email text NOT NULL,
            normalized_email text NOT NULL UNIQUE,
            role text NOT NULL,
            password_hash text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX users_workspace ON users (workspace_id, id)",
    ])
}
