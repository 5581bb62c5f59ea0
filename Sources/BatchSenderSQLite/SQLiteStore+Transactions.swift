import BatchSenderStore
import GRDB

extension SQLiteStore {
    /// One write transaction; a constraint violation (a duplicate id, key or slug) becomes
    /// `StoreError.conflict` so it reaches clients as a 409, not a 500.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError.conflict("the entity already exists or violates a constraint")
        }
    }

    /// One read transaction (a consistent snapshot).
    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(value)
    }

    /// Throws `invalidCursor` unless `sql` (which takes the cursor as its last argument) finds a row.
    static func requireCursor(_ db: Database, _ after: String?, sql: String, arguments: StatementArguments) throws {
        guard let after else { return }
        var arguments = arguments
        arguments += [after]
        guard try Row.fetchOne(db, sql: sql, arguments: arguments) != nil else { throw StoreError.invalidCursor }
    }

    /// A page from rows fetched with `LIMIT page.limit + 1`.
    static func page<Item: Sendable>(_ fetched: [Item], limit: Int, key: (Item) -> String) -> Page<Item> {
        let items = Array(fetched.prefix(limit))
        return Page(items: items, nextAfter: fetched.count > limit ? items.last.map(key) : nil)
    }
}
