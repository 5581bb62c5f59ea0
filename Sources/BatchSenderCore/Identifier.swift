import Foundation

/// An opaque, prefixed, time-ordered identifier such as `bat_01JD3Y…`.
///
/// The body is a ULID (48-bit millisecond time + 80 random bits, Crockford base32), so ids sort by
/// creation time; lists ordered by id are ordered newest/oldest first without a second index.
/// `Entity` is a phantom type that keeps a batch id from being passed where a send-config id is due.
public struct Identifier<Entity>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Identifier where Entity: IdentifierPrefixed {
    /// A new identifier for `now`.
    public static func generate(at now: Date = Date()) -> Self {
        var generator = SystemRandomNumberGenerator()
        return Self(rawValue: Entity.idPrefix + "_" + ULID.make(at: now, using: &generator))
    }

    /// Whether `raw` has this entity's prefix and a well-formed body (used to reject garbage early).
    public static func isWellFormed(_ raw: String) -> Bool {
        let prefix = Entity.idPrefix + "_"
        guard raw.hasPrefix(prefix) else { return false }
        return ULID.isValid(raw.dropFirst(prefix.count))
    }
}

/// Entities whose identifiers carry a short type prefix.
public protocol IdentifierPrefixed {
    static var idPrefix: String { get }
}

/// ULID text encoding (https://github.com/ulid/spec): 26 Crockford base32 characters.
enum ULID {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    static func make(at date: Date, using rng: inout some RandomNumberGenerator) -> String {
        // Clamped to ULID's 48-bit time before the conversion, which would trap beyond UInt64.
        let millis = UInt64(min(max(0, date.timeIntervalSince1970 * 1000), 281_474_976_710_655))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8((millis >> (8 * (5 - i))) & 0xFF) }
        for i in 6..<16 { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        return encode(bytes)
    }

    /// Encodes 128 bits as 26 base32 characters (the first carries only 3 bits).
    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        var value = (UInt64(0), UInt64(0))
        for i in 0..<8 { value.0 = value.0 << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { value.1 = value.1 << 8 | UInt64(bytes[i]) }
        for index in stride(from: 25, through: 0, by: -1) {
            out[index] = alphabet[Int(value.1 & 31)]
            value.1 = (value.1 >> 5) | ((value.0 & 31) << 59)
            value.0 >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isValid(_ text: Substring) -> Bool {
        text.utf8.count == 26 && text.utf8.allSatisfy { alphabet.contains($0) }
    }
}
