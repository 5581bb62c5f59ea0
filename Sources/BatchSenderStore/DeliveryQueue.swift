import BatchSenderCore
import Foundation

/// A recipient claimed for delivery: everything a worker needs, and the lease that proves the
/// claim is still its own.
public struct ClaimedDelivery: Hashable, Sendable {
    public var recipientID: Recipient.ID
    public var batchID: Batch.ID
    public var to: String
    public var variables: [String: JSONValue]
    /// Attempts including this one (1 on the first try).
    public var attempt: Int
    public var maxAttempts: Int
    public var dryRun: Bool
    /// Identifies this claim: an outcome applies only while the recipient is still `sending`
    /// under the same token (a rescued and re-claimed recipient has a new one).
    public var leaseToken: Int64
    public var leaseExpiresAt: Date
    /// The recipient's retry generation (`Recipient.retryGeneration`), for its idempotency key.
    public var generation: Int

    public init(
        recipientID: Recipient.ID, batchID: Batch.ID, to: String, variables: [String: JSONValue], attempt: Int,
        maxAttempts: Int, dryRun: Bool, leaseToken: Int64, leaseExpiresAt: Date, generation: Int = 0
    ) {
        self.generation = generation
        self.recipientID = recipientID
        self.batchID = batchID
        self.to = to
        self.variables = variables
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.dryRun = dryRun
        self.leaseToken = leaseToken
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// What became of one claimed recipient; the worker has already applied the retry policy.
public enum DeliveryResolution: Hashable, Sendable {
    /// Handed to the provider; delivery will be reported by events.
    case sent(providerMessageID: String)
    /// The provider's answer already means delivery (a webhook's 2xx).
    case delivered(providerMessageID: String)
    /// A permanent failure, or the last attempt failed.
    case failed(error: String)
    /// A transient failure with attempts left: queued again, due at `at`.
    case retry(at: Date, error: String)
    /// Not attempted (open circuit, paused batch, shutdown): queued again, due at `at`, and the
    /// attempt is given back.
    case released(at: Date)
    /// On the suppression list at send time.
    case suppressed
    /// The provider says the recipient opted out: `suppressed`, and the address is added to the
    /// workspace's suppression list (reason `unsubscribe`) in the same transaction.
    case optedOut(error: String)
}

/// One recipient's outcome, as recorded by `DeliveryQueue.complete`.
public struct DeliveryCompletion: Hashable, Sendable {
    public var recipientID: Recipient.ID
    public var batchID: Batch.ID
    public var leaseToken: Int64
    public var resolution: DeliveryResolution
    /// SMS: the segments the rendered message takes, recorded with the outcome.
    public var segments: Int?

    public init(
        recipientID: Recipient.ID, batchID: Batch.ID, leaseToken: Int64, resolution: DeliveryResolution,
        segments: Int? = nil
    ) {
        self.recipientID = recipientID
        self.batchID = batchID
        self.leaseToken = leaseToken
        self.resolution = resolution
        self.segments = segments
    }
}

/// What `complete` did.
public struct CompletionReport: Hashable, Sendable {
    /// Outcomes written.
    public var applied: Int
    /// Outcomes dropped because the lease was no longer held (rescued, cancelled meanwhile):
    /// never silent — the caller logs and counts them.
    public var lost: [Recipient.ID]
    /// Batches that became complete in this transaction.
    public var completedBatches: [Batch.ID]
    /// Of `applied`, outcomes of calls whose lease the rescuer had already taken back (their
    /// recipient was not claimed again, so the real outcome still counts).
    public var late: Int

    public init(applied: Int = 0, lost: [Recipient.ID] = [], completedBatches: [Batch.ID] = [], late: Int = 0) {
        self.late = late
        self.applied = applied
        self.lost = lost
        self.completedBatches = completedBatches
    }
}

/// A message a sandbox provider "sent": kept in the store for demos and tests.
public struct SandboxMessage: Hashable, Sendable {
    public var recipientID: Recipient.ID
    public var batchID: Batch.ID
    public var sendConfigID: SendConfig.ID
    public var providerMessageID: String
    /// The rendered message as JSON.
    public var content: JSONValue
    public var createdAt: Date

    public init(
        recipientID: Recipient.ID, batchID: Batch.ID, sendConfigID: SendConfig.ID, providerMessageID: String,
        content: JSONValue, createdAt: Date
    ) {
        self.recipientID = recipientID
        self.batchID = batchID
        self.sendConfigID = sendConfigID
        self.providerMessageID = providerMessageID
        self.content = content
        self.createdAt = createdAt
    }
}

/// The durable delivery queue: recipients are the jobs (River's shape: state in queryable
/// columns, claims with leases, batched completion).
public protocol DeliveryQueue: Sendable {
    /// Send configs with due work: a recipient `queued` and due, in a batch `queued` or `processing`.
    func sendConfigsWithDueWork(now: Date) async throws -> [SendConfig.ID]

    /// Claims up to `limit` due recipients of batches sent through `sendConfig`, oldest due
    /// first, in one write transaction: each moves to `sending` with `attempts + 1` and a lease
    /// until `now + leaseDuration`; their batches move `queued → processing` (with `startedAt`).
    /// Recipients whose address is now suppressed move to `suppressed` instead and are not returned.
    /// Shaped so PostgreSQL can claim with `FOR UPDATE SKIP LOCKED`.
    func claim(sendConfig: SendConfig.ID, limit: Int, now: Date, leaseDuration: TimeInterval) async throws
        -> [ClaimedDelivery]

    /// Extends the leases of recipients still held under their tokens (work really in progress).
    func extendLeases(_ held: [(Recipient.ID, leaseToken: Int64)], until: Date) async throws

    /// Records outcomes, their batches' counts and completion in one transaction. In a cancelled
    /// batch, outcomes that would queue a recipient again cancel it instead.
    ///
    /// An outcome applies while the recipient still carries the claim's lease token: in
    /// `sending`, or — when the rescuer took the lease back but nobody claimed it again — in the
    /// status the rescuer gave it (`queued`, `cancelled`, or `failed` at its attempt limit). A
    /// slow call's real outcome thus wins over the rescue; only a new claim makes it lost.
    func complete(_ completions: [DeliveryCompletion], now: Date) async throws -> CompletionReport

    /// Puts every recipient whose lease expires by `expiringBy` back to `queued`, due at `now`
    /// (cancelled instead in a cancelled batch; `failed` with "lease lost after N attempts" when
    /// it has used its batch's `maxAttempts`, so a recipient that kills the process cannot cycle
    /// forever). The lease token is kept, so the call's late outcome still applies; returns how many.
    func rescueLeases(expiringBy: Date, now: Date) async throws -> Int

    /// Moves `scheduled` batches whose `scheduledAt` has come to `queued` (recipients
    /// `pending → queued`); returns their ids.
    func startScheduledBatches(now: Date) async throws -> [Batch.ID]

    /// The safety net: finds batches whose maintained counts disagree with their rows, or that
    /// should be complete and are not, repairs them and returns their ids. Should find nothing.
    func repairStuckBatches(now: Date) async throws -> [Batch.ID]

    /// Takes or renews the lease `name` for `holder` until `now + ttl`; `false` while another
    /// holder's lease is unexpired.
    func acquireLeadership(_ name: String, holder: String, now: Date, ttl: TimeInterval) async throws -> Bool

    /// The batch, whatever its workspace (workers act for every workspace).
    func batchForDelivery(_ id: Batch.ID) async throws -> Batch?

    /// The send config, whatever its workspace.
    func sendConfigForDelivery(_ id: SendConfig.ID) async throws -> SendConfig?

    /// The current status of each named batch that exists.
    func batchStatuses(_ ids: [Batch.ID]) async throws -> [Batch.ID: BatchStatus]

    func recordSandboxMessages(_ messages: [SandboxMessage]) async throws

    /// Sandbox messages of a batch, oldest first.
    func sandboxMessages(of batch: Batch.ID, limit: Int) async throws -> [SandboxMessage]

    /// Recipients queued or sending, across all batches (the `batchsender_queue_depth` gauge).
    func queueDepth() async throws -> Int

    /// How many batches are in each status (the `batchsender_batches` gauge).
    func batchCountsByStatus() async throws -> [BatchStatus: Int]
}

extension DeliveryQueue {
    /// Rescues the leases that have expired at `now`: the rescuer's round.
    public func rescueExpiredLeases(now: Date) async throws -> Int {
        try await rescueLeases(expiringBy: now, now: now)
    }
}
