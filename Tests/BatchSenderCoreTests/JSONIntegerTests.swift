import BatchSenderCore
import Foundation
import Testing

/// `JSONValue.intValue`, the one checked integer read: numbers from clients and providers must
/// never reach `Int(_: Double)`, which traps out of range.
@Suite struct JSONIntegerTests {
    @Test func wholeNumbersInRangeAreIntegers() {
        #expect(JSONValue.int(42).intValue == 42)
        #expect(JSONValue.double(-7).intValue == -7)
        #expect(JSONValue.double(4_611_686_018_427_387_904).intValue == 4_611_686_018_427_387_904)
    }

    @Test func everythingElseIsNil() throws {
        let huge = try #require(JSONValue.parse(#"{"n":1e300}"#)?["n"])
        #expect(huge.intValue == nil)
        #expect(JSONValue.double(-1e300).intValue == nil)
        #expect(JSONValue.double(9.3e18).intValue == nil, "just above Int.max")
        #expect(JSONValue.double(1.5).intValue == nil)
        #expect(JSONValue.double(.infinity).intValue == nil)
        #expect(JSONValue.double(.nan).intValue == nil)
        #expect(JSONValue.string("3").intValue == nil)
    }

    @Test func rangesAreChecked() {
        #expect(JSONValue.int(5).int(in: 1...10) == 5)
        #expect(JSONValue.int(11).int(in: 1...10) == nil)
        #expect(JSONValue.double(1e300).int(in: 1...10) == nil)
    }

    @Test func numbersAsTextNeverTrap() {
        #expect(JSONValue.int(30001).numberText == "30001")
        #expect(JSONValue.double(1e300).numberText == "1e+300")
        #expect(JSONValue.double(0.5).numberText == "0.5")
        #expect(JSONValue.string("x").numberText == nil)
    }

    @Test func clockSecondsAreChecked() {
        #expect(Timestamp.unixSeconds(Date(timeIntervalSince1970: 1_700_000_000.7)) == 1_700_000_000)
        #expect(Timestamp.unixSeconds(Date(timeIntervalSince1970: 1e300)) == 0)
    }
}
