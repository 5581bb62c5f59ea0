import Foundation

/// RFC 3339 timestamps in UTC, the only date format of the API (CONTRACT §2).
public enum Timestamp {
    /// `2026-11-29T17:38:15.123Z`: milliseconds kept so ordering survives a round trip.
    public static func format(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC") ?? .gmt))
    }

    /// Parses RFC 3339 with or without fractional seconds, with `Z` or a numeric offset.
    public static func parse(_ text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let plain = Date.ISO8601FormatStyle()
        return (try? withFraction.parse(text)) ?? (try? plain.parse(text))
    }

    /// Whole seconds since 1970 (for signature timestamps), checked: a date no `Int` can hold
    /// gives 0 rather than a trap.
    public static func unixSeconds(_ date: Date) -> Int {
        Int(exactly: date.timeIntervalSince1970.rounded(.down)) ?? 0
    }
}
