import BatchSenderStore
import Foundation
import GRDB

/// SQLite's forms of copied values: REAL unix seconds for times, INTEGER 0/1 for booleans, TEXT
/// for JSON, BLOB for bytes — the forms the store itself writes (see `SchemaV1`).
enum SQLiteCopyValues {
    /// The typed value of a stored one. SQLite's columns are dynamically typed, so the value's
    /// storage class is checked against the column's kind instead of trusted.
    static func value(_ stored: DatabaseValue, _ column: CopyColumn, table: String) throws -> CopyValue {
        let mismatch = CopyValueError(table: table, column: column.name, expected: column.kind)
        switch (stored.storage, column.kind) {
        case (.null, _): return .null
        case (.int64(let n), .integer): return .integer(n)
        case (.int64(let n), .real): return .real(Double(n))
        case (.int64(let n), .time): return .time(Date(timeIntervalSince1970: Double(n)))
        case (.int64(let n), .boolean):
            guard n == 0 || n == 1 else { throw mismatch }
            return .boolean(n == 1)
        case (.double(let x), .real): return .real(x)
        case (.double(let x), .time): return .time(Date(timeIntervalSince1970: x))
        case (.double(let x), .integer):
            // REAL affinity never applies to our INTEGER columns; accept only an exact integer.
            guard let n = Int64(exactly: x) else { throw mismatch }
            return .integer(n)
        case (.string(let s), .text), (.string(let s), .json): return .text(s)
        case (.blob(let data), .bytes): return .bytes(data)
        default: throw mismatch
        }
    }

    /// The stored form of a typed value.
    static func stored(_ value: CopyValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let n): n.databaseValue
        case .real(let x): x.databaseValue
        case .text(let s): s.databaseValue
        case .boolean(let b): Int64(b ? 1 : 0).databaseValue
        case .time(let date): date.timeIntervalSince1970.databaseValue
        case .bytes(let data): data.databaseValue
        }
    }

    /// `"name"`: identifiers come from the copy catalog, quoted all the same.
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
