import BatchSenderCore
import Foundation

/// Reads typed fields out of a JSON object and collects every problem as a `ValidationIssue`,
/// so a request is answered with all its errors at once rather than the first.
public struct ObjectReader {
    public let object: [String: JSONValue]
    /// The dotted path of this object inside the request (`payload`, `credentials`), for messages.
    public let path: String
    public private(set) var issues: [ValidationIssue] = []

    public init(_ object: [String: JSONValue], path: String = "") {
        self.object = object
        self.path = path
    }

    /// `path.key`, or `key` at the top level.
    public func fieldName(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public mutating func fail(_ key: String, _ message: String) {
        issues.append(ValidationIssue(field: fieldName(key), message: message))
    }

    /// A value that is present and not `null`.
    public func present(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    public mutating func string(_ key: String, required: Bool = false, nonEmpty: Bool = true) -> String? {
        guard let value = present(key) else {
            if required { fail(key, "is required") }
            return nil
        }
        guard case .string(let s) = value else {
            fail(key, "must be a string, not \(value.typeName)")
            return nil
        }
        if nonEmpty && s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            fail(key, "must not be empty")
            return nil
        }
        return s
    }

    public mutating func bool(_ key: String) -> Bool? {
        guard let value = present(key) else { return nil }
        guard case .bool(let b) = value else {
            fail(key, "must be true or false, not \(value.typeName)")
            return nil
        }
        return b
    }

    public mutating func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = present(key) else { return nil }
        guard let number = value.intValue else {
            fail(key, "must be an integer, not \(value.typeName)")
            return nil
        }
        guard range.contains(number) else {
            fail(key, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return number
    }

    public mutating func number(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = present(key) else { return nil }
        guard let number = value.numberValue else {
            fail(key, "must be a number, not \(value.typeName)")
            return nil
        }
        guard range.contains(number) else {
            fail(key, "must be between \(range.lowerBound.formatted()) and \(range.upperBound.formatted())")
            return nil
        }
        return number
    }

    public mutating func object(_ key: String, required: Bool = false) -> [String: JSONValue]? {
        guard let value = present(key) else {
            if required { fail(key, "is required") }
            return nil
        }
        guard case .object(let o) = value else {
            fail(key, "must be an object, not \(value.typeName)")
            return nil
        }
        return o
    }

    public mutating func array(_ key: String, required: Bool = false) -> [JSONValue]? {
        guard let value = present(key) else {
            if required { fail(key, "is required") }
            return nil
        }
        guard case .array(let a) = value else {
            fail(key, "must be an array, not \(value.typeName)")
            return nil
        }
        return a
    }

    /// An RFC 3339 timestamp such as `2026-12-01T09:00:00Z` (fractional seconds allowed).
    public mutating func timestamp(_ key: String) -> Date? {
        guard let text = string(key) else { return nil }
        guard let date = Timestamp.parse(text) else {
            fail(key, "must be an RFC 3339 timestamp such as 2026-12-01T09:00:00Z")
            return nil
        }
        return date
    }

    /// An enum value given by its raw string.
    public mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, required: Bool = false) -> T?
    where T.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let value = T(rawValue: text) else {
            fail(key, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// Merges the issues of a nested reader.
    public mutating func absorb(_ other: ObjectReader) { issues += other.issues }
}
