/// What both ends of `copy-data` answer: their tables, and how many rows they hold.
public protocol CopyInspecting: Sendable {
    /// Every table of the database's schema (the driver's own bookkeeping tables included) with
    /// its column names: `copy-data` refuses tables and columns it does not know.
    func tableColumns() async throws -> [String: Set<String>]
    func count(_ table: CopyTable) async throws -> Int
    /// The sum of an integer column (0 for an empty table).
    func total(_ column: String, of table: CopyTable) async throws -> Int64
    /// The largest value the table's generator has handed out (it may exceed the largest stored
    /// one after deletions), 0 when none.
    func generatedIDHighWater(_ table: CopyTable) async throws -> Int64
}

/// The source of a copy: one consistent snapshot of a database, read a page at a time.
public protocol CopyReader: CopyInspecting {
    /// Up to `limit` rows in key order, after the row whose key is `after` (from the start when
    /// `nil`); values in the order of `table.columns`.
    func page(of table: CopyTable, after key: [CopyValue]?, limit: Int) async throws -> [[CopyValue]]
}

/// The target of a copy.
public protocol CopyWriter: CopyInspecting {
    /// Deletes every row of `tables` (the order is dependents first) and resets their generators.
    func removeAll(from tables: [CopyTable]) async throws
    /// Appends the rows `next` returns, page by page, until it returns `nil`; returns how many
    /// rows it wrote. Rows keep their values, generated ids included.
    func load(_ table: CopyTable, from next: () async throws -> [[CopyValue]]?) async throws -> Int
    /// Moves the table's generator so the next generated value is greater than `value`.
    func advanceGeneratedID(of table: CopyTable, past value: Int64) async throws
}
