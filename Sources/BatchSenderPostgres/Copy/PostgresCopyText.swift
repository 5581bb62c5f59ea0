import BatchSenderStore
import Foundation

/// Rows in the text format of `COPY … FROM STDIN`
/// (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"): columns separated
/// by a tab, rows ended by a newline, `\N` for NULL, and backslash, tab, newline and carriage
/// return escaped with a backslash. Each value is written in the input syntax of its column's
/// type, so the server parses it exactly as it would a literal.
enum PostgresCopyText {
    /// Appends one row (values in `table.columns` order) to `bytes`. Rows are built in a byte
    /// array, not a `ByteBuffer`: a million rows are mostly single-byte appends.
    static func appendRow(_ row: [CopyValue], of table: CopyTable, to bytes: inout [UInt8]) throws {
        for (index, value) in row.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: "\t")) }
            try append(value, column: table.columns[index], table: table.name, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    static func append(_ value: CopyValue, column: CopyColumn, table: String, to bytes: inout [UInt8]) throws {
        switch value {
        case .null: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
        case .text(let text): appendEscaped(text, to: &bytes)
        case .integer(let n): bytes.append(contentsOf: String(n).utf8)
        case .real(let x): bytes.append(contentsOf: realLiteral(x).utf8)
        case .boolean(let b): bytes.append(UInt8(ascii: b ? "t" : "f"))
        case .time(let date):
            guard let micros = PostgresTimestampText.microseconds(date) else {
                throw CopyValueError(table: table, column: column.name, expected: .time)
            }
            PostgresTimestampText.append(micros: micros, to: &bytes)
        case .bytes(let data):
            // bytea's hex input `\x0a1b…`, its backslash escaped for COPY's text format.
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
            appendHex(data, to: &bytes)
        }
    }

    /// `float8` input: Swift's shortest round-trip digits, and PostgreSQL's spellings of the
    /// special values (https://www.postgresql.org/docs/current/datatype-numeric.html).
    static func realLiteral(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        return "\(x)"
    }

    /// The text with backslash, tab, newline and carriage return escaped; runs between them are
    /// copied whole.
    static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let escape: UInt8
                switch utf8[index] {
                case 0x5C: escape = UInt8(ascii: "\\")
                case 0x09: escape = UInt8(ascii: "t")
                case 0x0A: escape = UInt8(ascii: "n")
                case 0x0D: escape = UInt8(ascii: "r")
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(escape)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func appendHex(_ data: Data, to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + data.count * 2)
        for byte in data {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0F)])
        }
    }
}

/// `timestamptz` literals in UTC (`2026-12-02 15:08:05.123456+00`), written without a date
/// formatter: a million recipients carry several timestamps each.
enum PostgresTimestampText {
    /// Microseconds since 1970, PostgreSQL's precision, rounded to the nearest: a time that came
    /// from PostgreSQL (a whole number of microseconds, a little off once it was a `Double`)
    /// comes back unchanged. `nil` outside the years 1–9999, which the literal cannot spell.
    static func microseconds(_ date: Date) -> Int64? {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        // 0001-01-01 and 10000-01-01 in microseconds since 1970.
        guard micros >= -62_135_596_800_000_000, micros < 253_402_300_800_000_000 else { return nil }
        return Int64(micros)
    }

    static func append(micros: Int64, to bytes: inout [UInt8]) {
        let perDay: Int64 = 86_400_000_000
        let days = micros >= 0 ? micros / perDay : (micros - perDay + 1) / perDay
        var ofDay = micros - days * perDay
        let (year, month, day) = civil(daysSince1970: days)
        appendDigits(year, 4, &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(month, 2, &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(day, 2, &bytes)
        bytes.append(UInt8(ascii: " "))
        let hour = ofDay / 3_600_000_000
        ofDay -= hour * 3_600_000_000
        let minute = ofDay / 60_000_000
        ofDay -= minute * 60_000_000
        let second = ofDay / 1_000_000
        let fraction = ofDay - second * 1_000_000
        appendDigits(hour, 2, &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(minute, 2, &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(second, 2, &bytes)
        bytes.append(UInt8(ascii: "."))
        appendDigits(fraction, 6, &bytes)
        bytes.append(contentsOf: [UInt8(ascii: "+"), UInt8(ascii: "0"), UInt8(ascii: "0")])
    }

    /// The proleptic Gregorian date of a day number (Howard Hinnant's `civil_from_days`,
    /// https://howardhinnant.github.io/date_algorithms.html#civil_from_days).
    static func civil(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `value` in exactly `width` decimal digits, zero-padded.
    private static func appendDigits(_ value: Int64, _ width: Int, _ bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
            divisor /= 10
        }
    }
}
