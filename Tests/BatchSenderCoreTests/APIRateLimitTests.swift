import BatchSenderCore
import Testing

/// The spelling of `BATCHSENDER_API_RATE_LIMIT`.
@Suite struct APIRateLimitParsingTests {
    @Test func theDefaultIsAHundredASecondWithABurstOfTwoHundred() throws {
        #expect(APIRateLimit.default.count == 100 && APIRateLimit.default.unit == .second)
        #expect(APIRateLimit.default.burst == 200)
        #expect(APIRateLimit.default.perSecond == 100)
        #expect(try APIRateLimit.parse("100/s") == .default)
    }

    @Test func ratesPerSecondAndPerMinuteWithAnOptionalBurst() throws {
        #expect(try APIRateLimit.parse("5/s") == APIRateLimit(count: 5, unit: .second, burst: 10))
        let perMinute = try #require(try APIRateLimit.parse("120/m"))
        #expect(perMinute.perSecond == 2 && perMinute.burst == 240)
        #expect(try APIRateLimit.parse("100/s,burst=300") == APIRateLimit(count: 100, unit: .second, burst: 300))
        #expect(try APIRateLimit.parse(" 3/S , burst=3 ") == APIRateLimit(count: 3, unit: .second, burst: 3))
        #expect(try APIRateLimit.parse("10/s,burst=1")?.burst == 1, "a burst below the rate smooths requests out")
        #expect(try APIRateLimit.parse("1000000/s,burst=10000000")?.burst == 10_000_000)
    }

    @Test func zeroTurnsTheLimitOff() throws {
        #expect(try APIRateLimit.parse("0") == nil)
        #expect(try APIRateLimit.parse(" 0 ") == nil)
    }

    @Test func theCanonicalSpellingReadsBack() throws {
        let limit = APIRateLimit(count: 7, unit: .minute, burst: 9)
        #expect(limit.description == "7/m,burst=9")
        #expect(try APIRateLimit.parse(limit.description) == limit)
    }

    @Test(arguments: [
        "", " ", "abc", "-1", "-5/s", "+5/s", "1.5/s", "1e3/s", "10/h", "10/", "/s", "10", "0/s", "0/m", "10/s/s",
        "1000001/s", "99999999999999999999/s", "9223372036854775808/s", "10/s,", "10/s,burst", "10/s,burst=",
        "10/s,burst=0", "10/s,burst=-1", "10/s,burst=2.5", "10/s,burst=10000001", "10/s,bust=3", "10/s burst=3",
        "10/s,burst=3,burst=4", "１０/s", "10/second", "ten/s", "10 /s", "0x10/s",
    ])
    func hostileValuesAreRefused(_ raw: String) {
        #expect(throws: APIRateLimit.Invalid.self) { try APIRateLimit.parse(raw) }
    }
}
