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

    init(queue: any DeliveryQueue, settings: EngineSettings, now: @escaping @Sendable () -> Date, logger: Logger) {
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
    /// which made renewals drift towards the lease's end), until the task is cancelled.
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
            await renew()
        }
    }

    /// One renewal round (tests call it directly).
    func renew() async {
        let leases = held.withLock { Array($0) }.map { ($0.key, leaseToken: $0.value) }
        guard !leases.isEmpty else { return }
        do {
            try await queue.extendLeases(leases, until: now().addingTimeInterval(settings.leaseDuration))
        } catch {
            EngineMetrics.leaseRenewalFailure()
            logger.warning(
                "could not extend leases; if this lasts, the rescuer re-queues the calls in flight",
                metadata: ["error": "\(String(reflecting: error))", "leases": "\(leases.count)"])
        }
    }
}
