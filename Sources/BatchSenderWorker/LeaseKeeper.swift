import BatchSenderCore
import BatchSenderStore
import Foundation
import Logging
import Synchronization

/// Keeps the leases of every claimed recipient whose outcome is not yet written, for the whole
/// engine: from the claim until the completion writer has recorded the outcome.
///
/// Renewal belongs to the work, not to the runner that claimed it: a runner stops (idle, a
/// PATCH of its send config, shutdown) while its calls are still out, and an outcome waits in the
/// writer's buffer after the call returned. Had renewal stopped with the runner, a call longer
/// than the lease would be rescued and sent again, forever.
final class LeaseKeeper: Sendable {
    private let queue: any DeliveryQueue
    private let settings: EngineSettings
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let held = Mutex<[Recipient.ID: Int64]>([:])
    /// The engine's outage log: a renewal failing through an outage is one warning, not one per round.
    private let outage: StoreOutage?

    init(
        queue: any DeliveryQueue, settings: EngineSettings, now: @escaping @Sendable () -> Date, logger: Logger,
        outage: StoreOutage? = nil
    ) {
        self.outage = outage
        self.queue = queue
        self.settings = settings
        self.now = now
        self.logger = logger
    }

    /// Starts keeping the leases of freshly claimed recipients.
    func hold(_ claimed: [ClaimedDelivery]) {
        held.withLock { held in for item in claimed { held[item.recipientID] = item.leaseToken } }
    }

    /// Stops keeping leases: their outcomes are written (or given up on).
    func release(_ completions: [DeliveryCompletion]) {
        held.withLock { held in
            for completion in completions where held[completion.recipientID] == completion.leaseToken {
                held[completion.recipientID] = nil
            }
        }
    }

    var count: Int { held.withLock { $0.count } }

    /// Renews every `leaseRenewalInterval`, timed from the previous renewal (not from wake-ups,
    /// which made renewals drift towards the lease's end), until the task is cancelled. After a
    /// failed renewal it tries again within a second: the leases are still held (nothing is
    /// dropped), and once the database is back they are extended before the rescuer, which runs
    /// every second, could find them expired.
    func run() async {
        let clock = ContinuousClock()
        var next = clock.now + settings.leaseRenewalInterval
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: next)
            } catch {
                return
            }
            next = next + settings.leaseRenewalInterval
            if next < clock.now { next = clock.now + settings.leaseRenewalInterval }
            if await !renew() { next = min(next, clock.now + min(settings.leaseRenewalInterval, .seconds(1))) }
        }
    }

    /// One renewal round (tests call it directly). Returns whether it reached the store; the
    /// leases stay held either way, until their outcomes are written.
    @discardableResult
    func renew() async -> Bool {
        let leases = held.withLock { Array($0) }.map { ($0.key, leaseToken: $0.value) }
        guard !leases.isEmpty else { return true }
        do {
            try await queue.extendLeases(leases, until: now().addingTimeInterval(settings.leaseDuration))
            outage?.succeeded()
            return true
        } catch {
            EngineMetrics.leaseRenewalFailure()
            if let outage {
                outage.failed("extend_leases", error)
            } else {
                logger.warning(
                    "could not extend leases; if this lasts, the rescuer re-queues the calls in flight",
                    metadata: ["error": "\(String(reflecting: error))", "leases": "\(leases.count)"])
            }
            return false
        }
    }
}
