import BatchSenderCore
import Foundation

/// A send config's delivery limits in the units the engine spends them: provider calls.
public struct DeliveryLimits: Hashable, Sendable {
    /// Provider calls per second (`rateLimit.perSecond`, or the provider's default).
    public var perSecond: Double
    /// Calls that may be made at once after a quiet spell (`rateLimit.burst`).
    public var burst: Int
    /// Calls in flight at once (`maxConcurrency`).
    public var maxConcurrency: Int
    /// Recipients per provider call (`DeliveryProvider.maxBatchSize`): claimed recipients are
    /// charged one token per started group of this many.
    public var callSize: Int

    public init(perSecond: Double, burst: Int, maxConcurrency: Int, callSize: Int) {
        self.perSecond = perSecond
        self.burst = max(1, burst)
        self.maxConcurrency = max(1, maxConcurrency)
        self.callSize = max(1, callSize)
    }
}

/// One claim within a send config's shared limits.
public struct LimitedClaimRequest: Hashable, Sendable {
    public var sendConfig: SendConfig.ID
    /// The `updatedAt` of the send config the caller delivers with: a newer one in the store
    /// refuses the claim (`LimitedClaim.Refusal.configChanged`), so old credentials and limits
    /// are never used for new work once the change has committed.
    public var configVersion: Date
    public var limits: DeliveryLimits
    /// Provider calls the caller is ready to make now (its free slots and local tokens).
    public var calls: Int
    /// Tokens charged by earlier claims whose chunks made no provider call (paused batch,
    /// dry run, open circuit…): credited back before this claim is weighed.
    public var unusedCalls: Int
    /// Recipients whose call this process has finished and whose outcome it has not written
    /// yet: still `sending` in the store, but no longer in flight. Those still `sending` under
    /// these leases are not counted against `maxConcurrency` (an outcome already written is not
    /// `sending` any more, so nothing is subtracted twice).
    public var finished: [HeldLease]
    /// The caller's time, for what is due and for the lease (as `DeliveryQueue.claim`).
    public var now: Date
    public var leaseDuration: TimeInterval

    public init(
        sendConfig: SendConfig.ID, configVersion: Date, limits: DeliveryLimits, calls: Int, unusedCalls: Int = 0,
        finished: [HeldLease] = [], now: Date, leaseDuration: TimeInterval
    ) {
        self.finished = finished
        self.sendConfig = sendConfig
        self.configVersion = configVersion
        self.limits = limits
        self.calls = calls
        self.unusedCalls = unusedCalls
        self.now = now
        self.leaseDuration = leaseDuration
    }
}

/// What a limited claim got.
public struct LimitedClaim: Hashable, Sendable {
    /// Why nothing was granted.
    public enum Refusal: Hashable, Sendable {
        /// No rate token: the next one comes after `LimitedClaim.retryAfter`.
        case rate
        /// `maxConcurrency` calls are in flight across all processes.
        case concurrency
        /// The provider asked to slow down (`pause`): claims wait until it ends.
        case paused
        /// The send config changed (or is gone) since the caller read it: the caller must
        /// retire and start over with the stored config.
        case configChanged
    }

    public var claimed: [ClaimedDelivery]
    /// Provider calls charged for `claimed` (one per started group of `callSize`).
    public var calls: Int
    /// Set when nothing was granted.
    public var refusal: Refusal?
    /// With `.rate` and `.paused`: how long until a claim can be granted, by the store's clock.
    public var retryAfter: TimeInterval?
    /// When the claim was weighed, by the store's clock (shared by every process).
    public var at: Date

    public init(
        claimed: [ClaimedDelivery] = [], calls: Int = 0, refusal: Refusal? = nil, retryAfter: TimeInterval? = nil, at: Date
    ) {
        self.claimed = claimed
        self.calls = calls
        self.refusal = refusal
        self.retryAfter = retryAfter
        self.at = at
    }
}

/// A queue shared by several processes, which therefore keeps each send config's rate limit,
/// `maxConcurrency` and provider-requested pause itself, so they hold for all processes
/// together (CONTRACT §9) rather than once per process.
///
/// Only stores that several processes can share conform (PostgreSQL). SQLite and the in-memory
/// store serve one process, whose own token bucket and slots are already exact.
public protocol SharedDeliveryLimits: DeliveryQueue {
    /// Weighs the send config's shared limits and, within them, claims like `claim(sendConfig:…)`
    /// up to `min(calls, rate tokens, concurrency headroom) × callSize` recipients, charging the
    /// calls that the claimed recipients need — all in one transaction.
    func claim(_ request: LimitedClaimRequest) async throws -> LimitedClaim

    /// No claim of the send config is granted for `seconds` from now (store time) — longer if
    /// already paused for longer: a provider's `Retry-After` applies to the whole account.
    func pause(sendConfig: SendConfig.ID, for seconds: TimeInterval) async throws
}

/// A recipient under one claim's lease.
public struct HeldLease: Hashable, Sendable {
    public var recipientID: Recipient.ID
    public var leaseToken: Int64

    public init(recipientID: Recipient.ID, leaseToken: Int64) {
        self.recipientID = recipientID
        self.leaseToken = leaseToken
    }
}
