import GRDB

/// SMS segment counts per recipient.
enum SchemaV3 {
    static func create(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE recipients ADD COLUMN segments INTEGER;")
    }
}
