import BatchSenderCore
import Foundation
import PostgresNIO

extension PostgresRandomAccessRow {
    /// The non-NULL value of `column`, or `PostgresStoreError.corruptRow` (never a crash).
    func required<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        guard let value = try optional(column, as: Value.self) else { throw PostgresStoreError.corruptRow(column) }
        return value
    }

    /// The value of `column`, `nil` when NULL; a malformed value or a missing column is an error.
    func optional<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value? {
        guard contains(column) else { throw PostgresStoreError.corruptRow(column) }
        let cell = self[column]
        guard cell.bytes != nil else { return nil }
        do {
            return try cell.decode(Value.self)
        } catch {
            throw PostgresStoreError.corruptRow(column)
        }
    }

    /// A `RawRepresentable` enum stored as its raw text.
    func enumValue<Value: RawRepresentable>(_ column: String, as type: Value.Type = Value.self) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: try required(column, as: String.self)) else {
            throw PostgresStoreError.corruptRow(column)
        }
        return value
    }

    /// A `jsonb` value.
    func json(_ column: String) throws -> JSONValue {
        guard let value = JSONValue.parse(try required(column, as: String.self)) else {
            throw PostgresStoreError.corruptRow(column)
        }
        return value
    }

    /// An API key's scopes, a `jsonb` array.
    func scopes(_ column: String) throws -> [APIScope] {
        guard let scopes = APIScope.fromStoredText(try required(column, as: String.self)) else {
            throw PostgresStoreError.corruptRow(column)
        }
        return scopes
    }

    /// A `jsonb` object.
    func jsonObject(_ column: String) throws -> [String: JSONValue] {
        guard let object = try json(column).objectValue else { throw PostgresStoreError.corruptRow(column) }
        return object
    }
}
