import BatchSenderStore
import Foundation
import Testing

@testable import BatchSenderPostgres

/// The text format `copy-data` feeds `COPY … FROM STDIN`: what each kind of value becomes.
@Suite struct PostgresCopyTextTests {
    func text(_ value: CopyValue, _ column: CopyColumn = .text("c")) throws -> String {
        var bytes: [UInt8] = []
        try PostgresCopyText.append(value, column: column, table: "t", to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func textEscapesBackslashTabNewlineAndCarriageReturn() throws {
        #expect(try text(.text("plain ünïcode 🚀")) == "plain ünïcode 🚀")
        #expect(try text(.text("a\tb\nc\\d\re")) == #"a\tb\nc\\d\re"#)
        #expect(try text(.text("\\\t")) == #"\\\t"#, "escapes at the edges")
        // A literal `\N` is text, not NULL: its backslash is escaped.
        #expect(try text(.text(#"\N"#)) == #"\\N"#)
        #expect(try text(.null) == #"\N"#)
    }

    @Test func rowsAreTabSeparatedLines() throws {
        let table = CopyTable("t", key: ["a"], columns: [.integer("a"), .boolean("b"), .text("c")])
        var bytes: [UInt8] = []
        try PostgresCopyText.appendRow([.integer(-42), .boolean(true), .null], of: table, to: &bytes)
        try PostgresCopyText.appendRow([.integer(7), .boolean(false), .text("x")], of: table, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "-42\tt\t\\N\n7\tf\tx\n")
    }

    @Test func bytesAreByteaHexWithTheBackslashEscaped() throws {
        #expect(try text(.bytes(Data([0x00, 0x0A, 0xFF])), .bytes("b")) == #"\\x000aff"#)
        #expect(try text(.bytes(Data()), .bytes("b")) == #"\\x"#)
    }

    @Test func realsRoundTripAndSpellTheSpecialValues() throws {
        #expect(try text(.real(0.1)) == "0.1")
        #expect(try text(.real(1e-05)) == "1e-05")
        #expect(try text(.real(12.0)) == "12.0")
        #expect(try text(.real(.infinity)) == "Infinity")
        #expect(try text(.real(-.infinity)) == "-Infinity")
        #expect(try text(.real(.nan)) == "NaN")
    }

    @Test func timesAreUTCMicroseconds() throws {
        let column = CopyColumn.time("t")
        #expect(try text(.time(Date(timeIntervalSince1970: 0)), column) == "1970-01-01 00:00:00.000000+00")
        #expect(try text(.time(Date(timeIntervalSince1970: -0.000_001)), column) == "1969-12-31 23:59:59.999999+00")
        // 2024-02-29 12:34:56.789012 UTC: a leap day, microseconds kept.
        #expect(try text(.time(Date(timeIntervalSince1970: 1_709_210_096.789_012)), column) == "2024-02-29 12:34:56.789012+00")
        #expect(try text(.time(Date(timeIntervalSince1970: 253_402_300_799)), column) == "9999-12-31 23:59:59.000000+00")
        #expect(try text(.time(Date(timeIntervalSince1970: -62_135_596_800)), column) == "0001-01-01 00:00:00.000000+00")
        #expect(throws: CopyValueError.self) { try text(.time(Date(timeIntervalSince1970: 253_402_300_800)), column) }
    }

    /// A time from PostgreSQL (whole microseconds) survives a trip through a `Double`.
    @Test func microsecondsAreRoundedToTheNearest() {
        let micros: Int64 = 1_733_152_085_123_999
        #expect(PostgresTimestampText.microseconds(Date(timeIntervalSince1970: Double(micros) / 1_000_000)) == micros)
        #expect(PostgresTimestampText.microseconds(Date(timeIntervalSince1970: 0.000_000_4)) == 0)
        #expect(PostgresTimestampText.microseconds(Date(timeIntervalSince1970: 0.000_000_6)) == 1)
    }

    @Test func civilDatesAgreeWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        // From 1583 on: Foundation's Gregorian calendar is Julian before October 1582; ours (and
        // PostgreSQL's) is proleptic Gregorian.
        for days in stride(from: Int64(-141_000), through: 2_932_000, by: 997) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = PostgresTimestampText.civil(daysSince1970: days)
            #expect([civil.year, civil.month, civil.day] == [parts.year, parts.month, parts.day].map { Int64($0 ?? 0) }, "\(days)")
        }
    }
}
