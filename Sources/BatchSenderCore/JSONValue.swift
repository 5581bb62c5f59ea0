import Foundation

/// Any JSON value, kept as parsed so payloads and variables round-trip unchanged.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// Integers and doubles alike, for numeric settings such as `latencyMs`.
    public var numberValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// The value as an `Int` when it is a whole number that `Int` holds exactly; `nil` for
    /// fractions, `1e300`, NaN and non-numbers.
    ///
    /// The one integer accessor: `Int(someDouble)` traps on values out of range, and numbers here
    /// come from clients and providers, so every integer read goes through this instead.
    public var intValue: Int? {
        switch self {
        case .int(let i): i
        case .double(let d): Int(exactly: d)
        default: nil
        }
    }

    /// `intValue` when it lies in `range`, else `nil`.
    public func int(in range: ClosedRange<Int>) -> Int? {
        guard let value = intValue, range.contains(value) else { return nil }
        return value
    }

    /// A number as text, for values that are signed or compared as strings (a Vonage `sig` covers
    /// parameters, provider error codes): whole numbers as plain digits (`42`), any other number
    /// in Swift's shortest round-trip form (`0.5`, `1e+300`), which never traps; `nil` for
    /// non-numbers.
    public var numberText: String? {
        switch self {
        case .int(let i): String(i)
        case .double(let d): Int(exactly: d).map { String($0) } ?? String(d)
        default: nil
        }
    }

    /// A short name of the value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int.self) {
            self = .int(int)
        } else if let double = try? container.decode(Double.self) {
            self = .double(double)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// Compact, key-sorted JSON text: the storage form (stable, so equal values store equal bytes).
    public func jsonText() -> String {
        JSONWriter.encode(self)
    }

    /// Parses stored JSON text back into a value; `nil` when the text is not JSON.
    public static func parse(_ text: String) -> JSONValue? {
        try? JSONParser.parse(text)
    }
}
