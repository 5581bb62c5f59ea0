import GRDB

/// Retry generations: part of a recipient's provider idempotency key (see `MessageKey`).
enum SchemaV5 {
    static func create(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE recipients ADD COLUMN retry_generation INTEGER NOT NULL DEFAULT 0;")
    }
}
