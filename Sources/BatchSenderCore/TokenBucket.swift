import Foundation

/// A token bucket: `rate` tokens per second up to `burst`. Pure state; the caller supplies the
/// time, so pacing is testable with a fake clock.
public struct TokenBucket: Hashable, Sendable {
    public let rate: Double
    public let burst: Double
    public private(set) var tokens: Double
    public private(set) var updatedAt: TimeInterval

    /// A bucket that starts full at time `now` (seconds on any monotonic scale).
    public init(rate: Double, burst: Double, now: TimeInterval) {
        self.rate = max(rate, 0.000_001)
        self.burst = max(burst, 1)
        self.tokens = max(burst, 1)
        self.updatedAt = now
    }

    private mutating func refill(_ now: TimeInterval) {
        guard now > updatedAt else { return }
        tokens = min(burst, tokens + (now - updatedAt) * rate)
        updatedAt = now
    }

    /// Takes up to `wanted` whole tokens now; returns how many were taken.
    public mutating func take(upTo wanted: Int, now: TimeInterval) -> Int {
        refill(now)
        // Checked: `tokens` below `wanted` is a small whole number; never `Int(_:)` of a raw double.
        let granted = tokens >= Double(wanted) ? wanted : (Int(exactly: tokens.rounded(.down)) ?? 0)
        tokens -= Double(max(granted, 0))
        return max(granted, 0)
    }

    /// Seconds until at least one whole token is available (0 when one is).
    public func waitForOne(now: TimeInterval) -> TimeInterval {
        var copy = self
        copy.refill(now)
        return copy.tokens >= 1 ? 0 : (1 - copy.tokens) / rate
    }

    /// Returns tokens that were taken but not used (e.g. a claim found fewer recipients).
    public mutating func giveBack(_ count: Int) {
        tokens = min(burst, tokens + Double(max(count, 0)))
    }
}
