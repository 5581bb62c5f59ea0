import BatchSenderCore
import Foundation
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(base: 1, cap: 60, maxRetryAfter: 600)

    @Test func ceilingDoublesUpToTheCap() {
        #expect((1...8).map { policy.ceiling(afterAttempt: $0) } == [1, 2, 4, 8, 16, 32, 60, 60])
        #expect(policy.ceiling(afterAttempt: 500) == 60)
    }

    @Test func fullJitterSpansZeroToCeiling() {
        #expect(policy.delay(afterAttempt: 3, unit: 0) == 0)
        #expect(policy.delay(afterAttempt: 3, unit: 0.5) == 2)
        #expect(policy.delay(afterAttempt: 3, unit: 0.999) < 4)
    }

    @Test func retryAfterOverridesAndIsClamped() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: 30, unit: 0) == 30)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 10_000, unit: 0) == 600)
        #expect(policy.delay(afterAttempt: 1, retryAfter: -5, unit: 0.5) == 0)
    }

    @Test func parsesRetryAfterSecondsAndDates() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.parseRetryAfter("120", now: now) == 120)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == 30)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
    }

    @Test func httpStatusClassification() {
        #expect([408, 429, 500, 502, 503, 504].allSatisfy { FailureClass.of(httpStatus: $0) == .transient })
        #expect([400, 401, 403, 404, 410, 422].allSatisfy { FailureClass.of(httpStatus: $0) == .permanent })
    }
}

@Suite struct TokenBucketTests {
    @Test func startsFullAndRefillsAtRate() {
        var bucket = TokenBucket(rate: 10, burst: 5, now: 0)
        #expect(bucket.take(upTo: 8, now: 0) == 5)
        #expect(bucket.take(upTo: 1, now: 0) == 0)
        #expect(abs(bucket.waitForOne(now: 0) - 0.1) < 1e-9)
        #expect(bucket.take(upTo: 10, now: 0.35) == 3)
        #expect(bucket.take(upTo: 10, now: 100) == 5, "never more than the burst")
    }

    @Test func pacingOverTimeMatchesTheRate() {
        var bucket = TokenBucket(rate: 200, burst: 10, now: 0)
        var sent = 0
        var t = 0.0
        while t < 10 {
            sent += bucket.take(upTo: 1000, now: t)
            t += 0.013
        }
        #expect((1_995...2_010).contains(sent), "\(sent)")
    }

    @Test func givingBackRestoresTokens() {
        var bucket = TokenBucket(rate: 1, burst: 3, now: 0)
        #expect(bucket.take(upTo: 3, now: 0) == 3)
        bucket.giveBack(2)
        #expect(bucket.take(upTo: 3, now: 0) == 2)
    }
}

@Suite struct CircuitBreakerTests {
    let t0 = Date(timeIntervalSince1970: 1_000)

    @Test func opensAfterThresholdConsecutiveFailures() {
        var breaker = CircuitBreaker(failureThreshold: 3, openDuration: 10)
        breaker.recordFailure(now: t0)
        breaker.recordFailure(now: t0)
        breaker.recordSuccess()
        breaker.recordFailure(now: t0)
        breaker.recordFailure(now: t0)
        let allowed1 = breaker.allowRequest(now: t0)
        #expect(allowed1)
        breaker.recordFailure(now: t0)
        #expect(breaker.isOpen)
        let allowed2 = breaker.allowRequest(now: t0.addingTimeInterval(9))
        #expect(!allowed2)
        #expect(breaker.retryAt(now: t0) == t0.addingTimeInterval(10))
    }

    @Test func halfOpenLetsOneProbeThrough() {
        var breaker = CircuitBreaker(failureThreshold: 1, openDuration: 10)
        breaker.recordFailure(now: t0)
        let later = t0.addingTimeInterval(10)
        let allowed3 = breaker.allowRequest(now: later)
        #expect(allowed3)
        let allowed4 = breaker.allowRequest(now: later)
        #expect(!allowed4, "only one probe")
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        let allowed5 = breaker.allowRequest(now: later)
        #expect(allowed5)
    }

    @Test func failedProbeReopens() {
        var breaker = CircuitBreaker(failureThreshold: 1, openDuration: 10)
        breaker.recordFailure(now: t0)
        let later = t0.addingTimeInterval(11)
        let allowed6 = breaker.allowRequest(now: later)
        #expect(allowed6)
        breaker.recordFailure(now: later)
        #expect(breaker.state == .open(until: later.addingTimeInterval(10)))
    }
}

@Suite struct GuardHardeningTests {
    @Test func retryAfterAcceptsOnlyDigitsOrDates() {
        let now = Date(timeIntervalSince1970: 0)
        #expect(RetryPolicy.parseRetryAfter("inf", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("1e9", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("0x10", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("-5", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("99999999999999999999", now: now) == 999_999_999)
        #expect(RetryPolicy.parseRetryAfter(" 7 ", now: now) == 7)
    }

    @Test(arguments: [
        "192.0.0.8", "198.18.0.1", "[::127.0.0.1]", "[64:ff9b::10.0.0.1]", "[2002:a00:1::]", "[fec0::1]",
        "[::ffff:169.254.169.254]",
    ])
    func embeddedAndSpecialRangesAreBlocked(host: String) {
        #expect(NetworkGuard.blockedReason(forHost: host) != nil, "\(host)")
    }

    @Test func publicEmbeddedAddressesStayAllowed() {
        #expect(NetworkGuard.blockedReason(forHost: "[64:ff9b::8.8.8.8]") == nil)
        #expect(NetworkGuard.blockedReason(forHost: "[2002:808:808::]") == nil)
        #expect(NetworkGuard.finding(for: .v4([1, 2]))?.severity == .malformed)
        #expect(NetworkGuard.finding(for: .v6([0xFE]))?.severity == .malformed)
    }
}
