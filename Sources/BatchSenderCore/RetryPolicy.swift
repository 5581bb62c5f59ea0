import Foundation

/// Capped exponential backoff with full jitter: attempt `n` waits a uniformly random time in
/// `[0, min(cap, base · 2^(n-1))]`, and a provider's `Retry-After` overrides the computation
/// (clamped to `maxRetryAfter`). Randomness is injected so tests are deterministic.
public struct RetryPolicy: Hashable, Sendable {
    public var base: TimeInterval
    public var cap: TimeInterval
    /// The longest `Retry-After` honoured; longer requests are clamped rather than stalling a batch.
    public var maxRetryAfter: TimeInterval

    public init(base: TimeInterval = 1, cap: TimeInterval = 300, maxRetryAfter: TimeInterval = 3600) {
        self.base = base
        self.cap = cap
        self.maxRetryAfter = maxRetryAfter
    }

    /// The delay before the next try after the `attempt`-th attempt failed (`attempt` ≥ 1).
    /// `unit` is a random number in [0, 1).
    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval? = nil, unit: Double) -> TimeInterval {
        if let retryAfter { return min(max(0, retryAfter), maxRetryAfter) }
        return ceiling(afterAttempt: attempt) * min(max(unit, 0), 1)
    }

    /// The upper bound of the jittered delay after `attempt` failures.
    public func ceiling(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, min(attempt - 1, 60)))
        return min(cap, base * pow(2, exponent))
    }

    /// Parses an HTTP `Retry-After`: delay-seconds or an HTTP date.
    public static func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        // RFC 9110: delay-seconds is 1*DIGIT. Anything else that `Double` would accept (`inf`,
        // `1e9`, hex) is not a delay.
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return Double(trimmed.prefix(9)).map { trimmed.count > 9 ? 999_999_999 : $0 }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
