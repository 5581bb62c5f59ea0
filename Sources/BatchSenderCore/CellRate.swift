import Foundation

/// A rate limit with burst as the generic cell rate algorithm (GCRA): the whole state is one
/// "theoretical arrival time" (`tat`), the time at which the bucket would be full again. It is the
/// exact equivalent of a token bucket of `burst` tokens refilled at `perSecond`, and it needs no
/// refill step, so it fits in one database column that every process updates under a row lock
/// (Turner's leaky bucket as a virtual scheduler; ITU-T I.371, as used by e.g. redis-cell).
///
/// Times are whole microseconds on any shared scale (the store uses database time). The interval
/// is a whole number of microseconds, rounded up, so rounding can never let through more than
/// `burst + perSecond × elapsed` calls, and `k` calls are exactly `k` intervals: a full bucket
/// really holds `burst` calls. (With a fractional interval each spend rounded up on its own, and
/// 3/s with burst 3 allowed only 2 calls at once.)
public struct CellRate: Hashable, Sendable {
    /// Whole microseconds between two calls at the sustained rate.
    public let interval: Double
    public let burst: Int

    public init(perSecond: Double, burst: Int) {
        // Validated configs have a positive, finite rate; anything else is clamped, never a trap.
        let rate = perSecond.isFinite ? min(max(perSecond, 0.000_001), 1e9) : 1e9
        let exact = 1_000_000 / rate
        // A rate given as a fraction (1/60 for a minute) lands a hair off a whole number.
        interval = max(1, abs(exact - exact.rounded()) < 1e-6 ? exact.rounded() : exact.rounded(.up))
        self.burst = max(1, burst)
    }

    /// How far `tat` is ahead of `now`: the part of the bucket that is empty, in microseconds.
    private func debt(tat: Int64?, now: Int64) -> Double {
        guard let tat, tat > now else { return 0 }
        return Double(tat - now)
    }

    /// Calls that may be made at `now` (at most `burst`).
    public func available(tat: Int64?, now: Int64) -> Int {
        let free = Double(burst) - debt(tat: tat, now: now) / interval
        // The small allowance absorbs binary fractions (0.999999… tokens is one token); it is far
        // below one microsecond of refill at any rate we accept.
        guard free.isFinite, free >= 1 - 1e-9 else { return 0 }
        return min(burst, Int((free + 1e-9).rounded(.down)))
    }

    /// Microseconds from `now` until one call may be made (0 when one may be made now).
    public func waitForOne(tat: Int64?, now: Int64) -> Int64 {
        waitFor(1, tat: tat, now: now)
    }

    /// Microseconds from `now` until `calls` calls (at most `burst`) may be made at once.
    public func waitFor(_ calls: Int, tat: Int64?, now: Int64) -> Int64 {
        let excess = debt(tat: tat, now: now) - Double(burst - min(max(calls, 1), burst)) * interval
        guard excess > 0 else { return 0 }
        return Int64(min(excess.rounded(.up), 3.6e12))
    }

    /// The `tat` after `calls` calls made at `now`.
    public func spending(_ calls: Int, tat: Int64?, now: Int64) -> Int64? {
        guard calls > 0 else { return tat }
        let start = max(tat ?? now, now)
        return start + Int64(min((Double(calls) * interval).rounded(.up), 3.6e12))
    }

    /// The `tat` after `calls` tokens that were spent but made no call are given back at `now`.
    /// Never further back than `now` (a full bucket): a refund cannot exceed the burst.
    public func refunding(_ calls: Int, tat: Int64?, now: Int64) -> Int64? {
        guard calls > 0, let tat, tat > now else { return tat }
        let back = Int64(min((Double(calls) * interval).rounded(.down), 3.6e12))
        return max(tat - back, now)
    }
}
