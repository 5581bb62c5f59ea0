import BatchSenderStore
import Foundation
import GRDB
import Testing

@testable import BatchSenderSQLite

/// How `copy-data` reads SQLite's dynamically typed values: by the column's kind, checked
/// against the value's storage class, never trusted.
@Suite struct SQLiteCopyValueTests {
    func value(_ stored: DatabaseValue, _ column: CopyColumn) throws -> CopyValue {
        try SQLiteCopyValues.value(stored, column, table: "t")
    }

    @Test func timesAreUnixSecondsAndBooleansZeroOrOne() throws {
        #expect(try value(1_764_687_285.25.databaseValue, .time("at")) == .time(Date(timeIntervalSince1970: 1_764_687_285.25)))
        #expect(try value(Int64(7).databaseValue, .time("at")) == .time(Date(timeIntervalSince1970: 7)))
        #expect(try value(Int64(1).databaseValue, .boolean("b")) == .boolean(true))
        #expect(try value(Int64(0).databaseValue, .boolean("b")) == .boolean(false))
        #expect(try value(.null, .boolean("b")) == .null)
        #expect(SQLiteCopyValues.stored(.boolean(true)) == Int64(1).databaseValue)
        #expect(SQLiteCopyValues.stored(.time(Date(timeIntervalSince1970: 2.5))) == 2.5.databaseValue)
    }

    @Test func aValueOfTheWrongKindIsAnErrorNamingItsPlace() {
        let cases: [(DatabaseValue, CopyColumn)] = [
            (Int64(2).databaseValue, .boolean("hard")),
            ("12".databaseValue, .integer("attempts")),
            (1.5.databaseValue, .integer("attempts")),
            (Data([1]).databaseValue, .text("name")),
            ("text".databaseValue, .bytes("body")),
        ]
        for (stored, column) in cases {
            #expect(throws: CopyValueError(table: "t", column: column.name, expected: column.kind)) {
                try value(stored, column)
            }
        }
        #expect("\(CopyValueError(table: "recipients", column: "hard", expected: .boolean))"
            == "recipients.hard holds a value that is not boolean")
    }

    @Test func integralRealsAreIntegers() throws {
        #expect(try value(3.0.databaseValue, .integer("n")) == .integer(3))
        #expect(try value(Int64(3).databaseValue, .real("x")) == .real(3))
    }
}
