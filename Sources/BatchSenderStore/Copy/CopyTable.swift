import Foundation

/// A table as `batchsender copy-data` moves it between databases: its columns with their kinds,
/// and the key it is paged by.
///
/// The two drivers store the same logical values differently (SQLite: REAL unix seconds, 0/1,
/// JSON text; PostgreSQL: `timestamptz`, `boolean`, `jsonb`), so each column names its kind and
/// every value travels as a typed `CopyValue` that each driver reads and writes in its own form.
public struct CopyTable: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var columns: [CopyColumn]
    /// The primary key's columns, in order. Pages are read in this order and continue after the
    /// last key seen (keyset paging), so no page costs more than its own rows.
    public var key: [String]
    /// A column whose new values the database generates (SQLite `AUTOINCREMENT`, a PostgreSQL
    /// identity): after the copy the target's generator is moved past every copied value.
    public var generatedID: String?
    /// Integer columns whose sums are compared between source and target after the copy, on top
    /// of the row counts (e.g. a batch's per-status counts).
    public var totals: [String]

    public init(
        _ name: String, key: [String], generatedID: String? = nil, totals: [String] = [], columns: [CopyColumn]
    ) {
        self.name = name
        self.columns = columns
        self.key = key
        self.generatedID = generatedID
        self.totals = totals
    }

    public var description: String { name }

    public var columnNames: [String] { columns.map(\.name) }

    /// The positions of the key's columns in a row.
    public var keyIndexes: [Int] {
        key.compactMap { name in columns.firstIndex { $0.name == name } }
    }

    /// The key of `row`: where the next page starts.
    public func key(of row: [CopyValue]) -> [CopyValue] {
        keyIndexes.map { row[$0] }
    }
}

/// One column of a `CopyTable`.
public struct CopyColumn: Sendable, Hashable {
    /// What a column holds, whatever a driver's type for it.
    public enum Kind: String, Sendable, Hashable {
        case text, integer, real, boolean, time, json, bytes
    }

    public var name: String
    public var kind: Kind

    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public static func text(_ name: String) -> CopyColumn { CopyColumn(name, .text) }
    public static func integer(_ name: String) -> CopyColumn { CopyColumn(name, .integer) }
    public static func real(_ name: String) -> CopyColumn { CopyColumn(name, .real) }
    public static func boolean(_ name: String) -> CopyColumn { CopyColumn(name, .boolean) }
    public static func time(_ name: String) -> CopyColumn { CopyColumn(name, .time) }
    public static func json(_ name: String) -> CopyColumn { CopyColumn(name, .json) }
    public static func bytes(_ name: String) -> CopyColumn { CopyColumn(name, .bytes) }
}
