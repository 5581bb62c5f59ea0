import BatchSenderCore
import Foundation
import GRDB

extension Row {
    /// The non-NULL value of `column`, or `SQLiteStoreError.corruptRow` (never a crash).
    func required<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        let raw: DatabaseValue = self[column]
        guard let value = Value.fromDatabaseValue(raw) else { throw SQLiteStoreError.corruptRow(column) }
        return value
    }

    /// The value of `column`, `nil` when NULL; a malformed value is an error.
    func optional<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self) throws -> Value? {
        let raw: DatabaseValue = self[column]
        if raw.isNull { return nil }
        guard let value = Value.fromDatabaseValue(raw) else { throw SQLiteStoreError.corruptRow(column) }
        return value
    }

    func date(_ column: String) throws -> Date {
        Date(unixTime: try required(column, as: Double.self))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try optional(column, as: Double.self).map(Date.init(unixTime:))
    }

    /// A `RawRepresentable` enum stored as its raw text.
    func enumValue<Value: RawRepresentable>(_ column: String, as type: Value.Type = Value.self) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: try required(column, as: String.self)) else {
            throw SQLiteStoreError.corruptRow(column)
        }
        return value
    }

    /// An API key's scopes, a JSON array stored as text.
    func scopes(_ column: String) throws -> [APIScope] {
        guard let scopes = APIScope.fromStoredText(try required(column, as: String.self)) else {
            throw SQLiteStoreError.corruptRow(column)
        }
        return scopes
    }

    /// A JSON object stored as text.
    func jsonObject(_ column: String) throws -> [String: JSONValue] {
        guard let object = JSONValue.parse(try required(column, as: String.self))?.objectValue else {
            throw SQLiteStoreError.corruptRow(column)
        }
        return object
    }
}

extension Date {
    /// Seconds since 1970 as stored in REAL columns (sub-second precision kept).
    var unixTime: Double { timeIntervalSince1970 }

    init(unixTime: Double) { self.init(timeIntervalSince1970: unixTime) }
}
