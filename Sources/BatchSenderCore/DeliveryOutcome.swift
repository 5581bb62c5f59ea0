import Foundation

/// What one provider call did for one recipient — a value, not a thrown error (DESIGN §5).
public enum DeliveryOutcome: Hashable, Sendable {
    /// Handed over; `delivered` when the provider's answer already means delivery (a webhook's
    /// 2xx), `sent` when delivery will be reported later by provider events.
    case accepted(providerMessageID: String, delivered: Bool)
    /// A transient failure: try again, no sooner than `after` when the provider said so.
    case retry(reason: String, after: TimeInterval?)
    /// A permanent failure: do not try again.
    case reject(reason: String)
    /// The recipient opted out at the provider (replied STOP): never try again, and the address
    /// joins the workspace's suppression list so later batches skip it.
    case optedOut(reason: String)
    /// Not attempted (open circuit, pause): put back without spending an attempt.
    case deferred(until: Date, reason: String)
}

/// How a failed provider answer is classified (CONTRACT §5).
public enum FailureClass: Hashable, Sendable {
    case transient
    case permanent

    /// HTTP statuses: 408, 425, 429 and 5xx are transient; other 4xx permanent.
    public static func of(httpStatus status: Int) -> FailureClass {
        switch status {
        case 408, 425, 429, 500...599: .transient
        default: .permanent
        }
    }
}
