import BatchSenderStore
import Foundation
import NIOCore

/// Rows in the text format of `COPY … FROM STDIN`
/// (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"): columns separated
/// by a tab, rows ended by a newline, `\N` for NULL, and backslash, tab, newline and carriage
/// return escaped with a backslash. Each value is written in the input syntax of its column's
/// type, so the server parses it exactly as it would a literal.
enum PostgresCopyText {
    /// Appends one row (values in `table.columns` order) to `buffer`.
    static func appendRow(_ row: [CopyValue], of table: CopyTable, to buffer: inout ByteBuffer) throws {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            try append(value, column: table.columns[index], table: table.name, to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    static func append(_ value: CopyValue, column: CopyColumn, table: String, to buffer: inout ByteBuffer) throws {
        switch value {
        case .null: buffer.writeStaticString("\\N")
        case .text(let text): appendEscaped(text, to: &buffer)
        case .integer(let n): buffer.writeString(String(n))
        case .real(let x): buffer.writeString(realLiteral(x))
        case .boolean(let b): buffer.writeInteger(UInt8(ascii: b ? "t" : "f"))
        case .time(let date):
            guard let micros = PostgresTimestampText.microseconds(date) else {
                throw CopyValueError(table: table, column: column.name, expected: .time)
            }
            PostgresTimestampText.append(micros: micros, to: &buffer)
        case .bytes(let data):
            // bytea's hex input `\x0a1b…`, its backslash escaped for COPY's text format.
            buffer.writeStaticString("\\\\x")
            appendHex(data, to: &buffer)
        }
    }

    /// `float8` input: Swift's shortest round-trip digits, and PostgreSQL's spellings of the
    /// special values (https://www.postgresql.org/docs/current/datatype-numeric.html).
    static func realLiteral(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        return "\(x)"
    }

    static func appendEscaped(_ text: String, to buffer: inout ByteBuffer) {
        var utf8 = text.utf8
        // Most values need no escape: copy them in one write.
        if !utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            buffer.writeString(text)
            return
        }
        utf8 = text.utf8
        for byte in utf8 {
            switch byte {
            case 0x5C: buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func appendHex(_ data: Data, to buffer: inout ByteBuffer) {
        for byte in data {
            buffer.writeInteger(hexDigits[Int(byte >> 4)])
            buffer.writeInteger(hexDigits[Int(byte & 0x0F)])
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

    static func append(micros: Int64, to buffer: inout ByteBuffer) {
        let perDay: Int64 = 86_400_000_000
        let days = micros >= 0 ? micros / perDay : (micros - perDay + 1) / perDay
        var ofDay = micros - days * perDay
        let (year, month, day) = civil(daysSince1970: days)
        appendDigits(year, 4, &buffer)
        buffer.writeInteger(UInt8(ascii: "-"))
        appendDigits(month, 2, &buffer)
        buffer.writeInteger(UInt8(ascii: "-"))
        appendDigits(day, 2, &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        let hour = ofDay / 3_600_000_000
        ofDay -= hour * 3_600_000_000
        let minute = ofDay / 60_000_000
        ofDay -= minute * 60_000_000
        let second = ofDay / 1_000_000
        let fraction = ofDay - second * 1_000_000
        appendDigits(hour, 2, &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
        appendDigits(minute, 2, &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
        appendDigits(second, 2, &buffer)
        buffer.writeInteger(UInt8(ascii: "."))
        appendDigits(fraction, 6, &buffer)
        buffer.writeStaticString("+00")
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

    private static func appendDigits(_ value: Int64, _ width: Int, _ buffer: inout ByteBuffer) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var rest = value
        var index = width - 1
        while index >= 0 {
            digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
        buffer.writeBytes(digits)
    }
}
