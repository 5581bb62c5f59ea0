import BatchSenderCore
import Synchronization
import Testing

/// A clock the test moves by hand, in microseconds.
final class ManualMicroseconds: Sendable {
    private let value = Mutex<Int64>(0)
    var now: Int64 { value.withLock { $0 } }
    func advance(seconds: Double) { value.withLock { $0 += Int64(seconds * 1_000_000) } }
    var clock: @Sendable () -> Int64 { { self.now } }
}

@Suite struct KeyedRateLimiterTests {
    @Test func aFullBucketThenOneRequestPerInterval() {
        let time = ManualMicroseconds()
        // 2/s (one every 0.5 s, a whole number of microseconds, so no rounding shows), burst 3.
        let limiter = KeyedRateLimiter<String>(perSecond: 2, burst: 3, clock: time.clock)
        let first = limiter.acquire("a")
        #expect(first == RateLimitDecision(allowed: true, limit: 3, remaining: 2, resetSeconds: 1, retryAfterSeconds: nil))
        #expect(limiter.acquire("a").remaining == 1)
        let third = limiter.acquire("a")
        #expect(third.allowed && third.remaining == 0)
        #expect(third.resetSeconds == 2, "1.5 s until three calls at 2/s are refilled, rounded up")
        let refused = limiter.acquire("a")
        #expect(!refused.allowed)
        #expect(refused.remaining == 0 && refused.resetSeconds == 2)
        #expect(refused.retryAfterSeconds == 1, "half a second, rounded up to a whole second")

        time.advance(seconds: 0.5)
        let next = limiter.acquire("a")
        #expect(next.allowed && next.remaining == 0, "one interval later one more request conforms")
        #expect(!limiter.acquire("a").allowed)
    }

    @Test func aBurstOfThreeAtThreeASecondIsThreeRequests() {
        // 3/s is 333,334 µs a request (rounded up): all three fit a full bucket, and Retry-After
        // is never too early.
        let time = ManualMicroseconds()
        let limiter = KeyedRateLimiter<String>(perSecond: 3, burst: 3, clock: time.clock)
        #expect((0..<3).map { _ in limiter.acquire("a").remaining } == [2, 1, 0])
        let refused = limiter.acquire("a")
        #expect(!refused.allowed && refused.resetSeconds == 2 && refused.retryAfterSeconds == 1)
        time.advance(seconds: 1)
        #expect(limiter.acquire("a").allowed, "Retry-After was not too early")
    }

    @Test func refusedRequestsSpendNothing() {
        let time = ManualMicroseconds()
        let limiter = KeyedRateLimiter<String>(perSecond: 1, burst: 1, clock: time.clock)
        #expect(limiter.acquire("a").allowed)
        for _ in 0..<50 { #expect(!limiter.acquire("a").allowed) }
        time.advance(seconds: 1)
        #expect(limiter.acquire("a").allowed, "hammering while refused did not push the next slot back")
    }

    @Test func keysAreIndependent() {
        let time = ManualMicroseconds()
        let limiter = KeyedRateLimiter<String>(perSecond: 1, burst: 2, clock: time.clock)
        #expect(limiter.acquire("a").allowed)
        #expect(limiter.acquire("a").allowed)
        #expect(!limiter.acquire("a").allowed)
        let other = limiter.acquire("b")
        #expect(other.allowed && other.remaining == 1)
    }

    @Test func retryAfterAndResetRoundUpToWholeSeconds() {
        let time = ManualMicroseconds()
        // 6 per minute: one every 10 s; burst 2.
        let limiter = KeyedRateLimiter<String>(APIRateLimit(count: 6, unit: .minute, burst: 2), clock: time.clock)
        #expect(limiter.acquire("a").resetSeconds == 10)
        let empty = limiter.acquire("a")
        #expect(empty.remaining == 0 && empty.resetSeconds == 20)
        time.advance(seconds: 2.5)
        let refused = limiter.acquire("a")
        #expect(refused.retryAfterSeconds == 8, "7.5 s until one request conforms, rounded up")
        #expect(refused.resetSeconds == 18, "17.5 s until the bucket is full, rounded up")
        time.advance(seconds: 7.5)
        #expect(limiter.acquire("a").allowed, "allowed exactly when Retry-After said")
    }

    @Test func aKeyIdleLongEnoughIsBackToAFullBucket() {
        let time = ManualMicroseconds()
        let limiter = KeyedRateLimiter<String>(perSecond: 10, burst: 5, clock: time.clock)
        for _ in 0..<5 { #expect(limiter.acquire("a").allowed) }
        time.advance(seconds: 60)
        let decision = limiter.acquire("a")
        #expect(decision.remaining == 4 && decision.resetSeconds == 1)
    }

    @Test func neverMoreThanBurstPlusRateTimesElapsed() {
        let time = ManualMicroseconds()
        let limiter = KeyedRateLimiter<String>(perSecond: 7, burst: 3, clock: time.clock)
        var allowed = 0
        for step in 1...20_000 {
            if limiter.acquire("a").allowed { allowed += 1 }
            time.advance(seconds: 0.000_997)
            #expect(Double(allowed) <= 3 + 7 * Double(step) * 0.000_997 + 1e-6)
        }
        #expect(allowed >= 3 + 7 * 19, "and it does reach the rate")
    }

    @Test func fullBucketsAreForgottenSoMemoryStaysBounded() {
        let time = ManualMicroseconds()
        let limiter = KeyedRateLimiter<Int>(perSecond: 100, burst: 200, clock: time.clock)
        // Many keys, each seen once and then idle: a table that never forgot would hold them all.
        for round in 0..<20 {
            for key in 0..<1_000 { _ = limiter.acquire(round * 1_000 + key) }
            time.advance(seconds: 1)
        }
        #expect(limiter.trackedKeys <= 2_048, "held \(limiter.trackedKeys) of 20,000 keys")
    }

    @Test func pastTheCapacityItErrsTowardsLettingThrough() {
        let time = ManualMicroseconds()
        let limiter = KeyedRateLimiter<Int>(perSecond: 1, burst: 1, capacity: 8, clock: time.clock)
        for key in 0..<100 {
            #expect(limiter.acquire(key).allowed)
            #expect(limiter.trackedKeys <= 8)
        }
    }

    @Test func concurrentRequestsOfOneKeyGetExactlyTheBurst() async {
        let limiter = KeyedRateLimiter<String>(perSecond: 0.001, burst: 50)
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<400 { group.addTask { limiter.acquire("k").allowed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 50)
    }
}
