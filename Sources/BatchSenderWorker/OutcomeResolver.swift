import BatchSenderCore
import BatchSenderStore
import Foundation

/// Applies the retry policy to a provider outcome: what the store should record (CONTRACT §5).
/// Pure, with time and randomness passed in, so backoff schedules are testable exactly.
public struct OutcomeResolver: Sendable {
    public var policy: RetryPolicy

    public init(policy: RetryPolicy) {
        self.policy = policy
    }

    /// The resolution of `outcome` for a recipient on attempt `attempt` of `maxAttempts`.
    public func resolve(_ outcome: DeliveryOutcome, attempt: Int, maxAttempts: Int, now: Date, unit: Double)
        -> DeliveryResolution
    {
        switch outcome {
        case .accepted(let id, let delivered):
            return delivered ? .delivered(providerMessageID: id) : .sent(providerMessageID: id)
        case .reject(let reason):
            return .failed(error: Self.clip(reason))
        case .optedOut(let reason):
            return .optedOut(error: Self.clip(reason))
        case .deferred(let until, _):
            return .released(at: until)
        case .retry(let reason, let after):
            guard attempt < maxAttempts else {
                return .failed(error: Self.clip("\(reason) (gave up after \(attempt) attempt\(attempt == 1 ? "" : "s"))"))
            }
            let delay = policy.delay(afterAttempt: attempt, retryAfter: after, unit: unit)
            return .retry(at: now.addingTimeInterval(delay), error: Self.clip(reason))
        }
    }

    /// `lastError` is kept short: the start of a provider's answer, not the whole body.
    static func clip(_ text: String, limit: Int = 500) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
