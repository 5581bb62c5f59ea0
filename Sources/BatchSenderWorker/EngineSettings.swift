import BatchSenderCore
import Foundation

/// Tunables of the delivery engine, with the defaults of CONTRACT §5.
public struct EngineSettings: Sendable {
    /// How long a claim is held before the rescuer may take it back (extended while in progress).
    public var leaseDuration: TimeInterval = 30
    /// How often runners look for work when nothing signals them.
    public var pollInterval: Duration = .seconds(1)
    /// A runner with no work for this long stops; the dispatcher starts it again when work comes.
    public var idleShutdown: Duration = .seconds(30)
    /// How often in-flight leases are extended.
    public var leaseRenewalInterval: Duration = .seconds(10)
    /// The longest a batch's pause or cancel may go unnoticed by a runner.
    public var statusRefreshInterval: TimeInterval = 0.5
    public var retryPolicy = RetryPolicy(base: 2, cap: 600, maxRetryAfter: 3600)
    /// Circuit breaker defaults (a webhook config may override them in `settings.circuitBreaker`).
    public var breakerFailureThreshold = 10
    public var breakerOpenDuration: TimeInterval = 10
    /// Completions are written together: at most this many per transaction…
    public var completionBatchSize = 500
    /// …and at most this long after the first of them arrived.
    public var completionFlushDelay: Duration = .milliseconds(5)
    /// Runners stop claiming while this many outcomes wait to be written (a slow or failing store).
    public var completionBacklogLimit = 2_000
    /// On SIGTERM, calls still running this long after claiming stopped are cancelled and their
    /// recipients released with the attempt given back (CONTRACT §8: exit within 30 s)…
    public var shutdownCallDeadline: Duration = .seconds(20)
    /// …and outcomes not written this long after that are abandoned to the rescuer.
    public var shutdownWriteDeadline: Duration = .seconds(5)
    /// The longest a runner waits for a claim, and the writer for a write, before leaving the
    /// call behind as failed (`StoreCallDeadline`): far longer than either takes, even loaded.
    public var storeCallDeadline: Duration = .seconds(30)
    /// Makes recipients' provider idempotency keys; the composition root supplies tagged keys.
    public var messageKeys: MessageKeys = .untagged

    public init() {}
}

/// Documented defaults per provider, used when a send config sets no `rateLimit` or
/// `maxConcurrency`. Rates are provider calls per second.
public enum ProviderDefaults {
    public static func rateLimit(_ provider: Provider) -> RateLimit {
        switch provider {
        case .sandbox: RateLimit(perSecond: 1_000, burst: 1_000)
        case .http: RateLimit(perSecond: 500, burst: 500)
        // Resend: "2 requests per second per team" by default (api-reference, rate limit).
        case .resend: RateLimit(perSecond: 2, burst: 2)
        // SES: production accounts start at 14 messages/s; sandbox accounts 1/s.
        case .ses: RateLimit(perSecond: 14, burst: 14)
        case .smtp: RateLimit(perSecond: 10, burst: 10)
        case .twilio: RateLimit(perSecond: 10, burst: 10)
        case .vonage: RateLimit(perSecond: 30, burst: 30)
        case .telnyx: RateLimit(perSecond: 10, burst: 10)
        // HubSpot private apps: 190 requests / 10 s.
        case .hubspot: RateLimit(perSecond: 19, burst: 19)
        case .salesforce: RateLimit(perSecond: 5, burst: 5)
        case .pipedrive: RateLimit(perSecond: 8, burst: 8)
        }
    }

    public static func maxConcurrency(_ provider: Provider) -> Int {
        switch provider {
        case .sandbox: 64
        case .http: 64
        case .resend, .ses, .twilio, .vonage, .telnyx: 8
        case .smtp: 4
        case .hubspot, .salesforce, .pipedrive: 4
        }
    }
}
