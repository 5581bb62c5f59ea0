import BatchSenderCore
import Foundation
import Testing

@Suite struct CellRateTests {
    /// 10 calls per second (one per 100,000 µs), burst 3.
    let rate = CellRate(perSecond: 10, burst: 3)

    @Test func startsFullAndRefillsAtTheRate() {
        #expect(rate.available(tat: nil, now: 0) == 3)
        let tat = rate.spending(3, tat: nil, now: 0)
        #expect(tat == 300_000)
        #expect(rate.available(tat: tat, now: 0) == 0)
        #expect(rate.available(tat: tat, now: 99_999) == 0)
        #expect(rate.available(tat: tat, now: 100_000) == 1)
        #expect(rate.available(tat: tat, now: 250_000) == 2)
        #expect(rate.available(tat: tat, now: 10_000_000) == 3, "never more than the burst")
    }

    @Test func waitForOneNamesTheFirstMomentACallConforms() {
        let tat = rate.spending(3, tat: nil, now: 0)
        let wait = rate.waitForOne(tat: tat, now: 40_000)
        #expect(wait == 60_000)
        #expect(rate.available(tat: tat, now: 40_000 + wait) == 1)
        #expect(rate.available(tat: tat, now: 40_000 + wait - 1) == 0)
        #expect(rate.waitForOne(tat: nil, now: 5) == 0)
        #expect(rate.waitFor(2, tat: tat, now: 40_000) == 160_000)
        #expect(rate.available(tat: tat, now: 200_000) == 2)
        #expect(rate.waitFor(10, tat: tat, now: 40_000) == 260_000, "never more than the burst")
    }

    @Test func spendingFromAStaleTatStartsAtNow() {
        // A tat long past is a full bucket: spending starts from now, not from the old time.
        #expect(rate.spending(1, tat: 1_000, now: 5_000_000) == 5_100_000)
        #expect(rate.spending(0, tat: 1_000, now: 5_000_000) == 1_000)
    }

    @Test func refundsNeverExceedTheBurst() {
        let tat = rate.spending(2, tat: nil, now: 0)
        #expect(rate.refunding(1, tat: tat, now: 0) == 100_000)
        #expect(rate.refunding(5, tat: tat, now: 0) == 0)
        #expect(rate.available(tat: rate.refunding(5, tat: tat, now: 0), now: 0) == 3)
        #expect(rate.refunding(1, tat: nil, now: 0) == nil)
    }

    @Test func neverMoreThanBurstPlusRateTimesElapsed() {
        // A fractional interval (3/s: 333,333.3… µs) rounds towards fewer calls, over many steps.
        let odd = CellRate(perSecond: 3, burst: 2)
        var tat: Int64?
        var granted = 0
        var now: Int64 = 0
        while now < 100_000_000 {
            let n = odd.available(tat: tat, now: now)
            tat = odd.spending(n, tat: tat, now: now)
            granted += n
            #expect(Double(granted) <= 2 + 3 * Double(now) / 1_000_000 + 1e-9)
            now += 7_919
        }
        #expect(granted >= 2 + 3 * 99 - 1, "and it does reach the rate")
    }

    @Test func aFullBucketHoldsTheWholeBurstAtAnyRate() {
        // 3/s is 333,333.3… µs a call: the interval is 333,334 µs, so three calls are exactly three
        // intervals and all three fit a full bucket, one by one or at once.
        for rate in [CellRate(perSecond: 3, burst: 3), CellRate(perSecond: 7, burst: 5), CellRate(perSecond: 1.0 / 60, burst: 2)] {
            var tat: Int64?
            for spent in 0..<rate.burst {
                #expect(rate.available(tat: tat, now: 0) == rate.burst - spent, "\(rate)")
                tat = rate.spending(1, tat: tat, now: 0)
            }
            #expect(rate.available(tat: tat, now: 0) == 0)
            #expect(rate.available(tat: rate.spending(rate.burst - 1, tat: nil, now: 0), now: 0) == 1)
        }
        #expect(CellRate(perSecond: 3, burst: 1).interval == 333_334)
        #expect(CellRate(perSecond: 1.0 / 60, burst: 1).interval == 60_000_000, "a minute, not a microsecond more")
    }

    @Test func oddRatesAreClampedNotTraps() {
        #expect(CellRate(perSecond: .infinity, burst: 0).available(tat: nil, now: 0) == 1)
        #expect(CellRate(perSecond: 0, burst: 1).waitForOne(tat: Int64.max / 2, now: 0) > 0)
    }
}
