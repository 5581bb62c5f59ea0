import BatchSenderCore
import BatchSenderStore
import Metrics
import Synchronization

/// The engine's swift-metrics instruments (`batchsender_*`, CONTRACT §8).
///
/// Instruments are made once per label set and kept: asking the factory for one on every event
/// costs a registry lookup and label sanitizing, which showed up per delivery in profiles.
enum EngineMetrics {
    private struct DeliveryKey: Hashable {
        var module: Module
        var provider: Provider
        var outcome: String
    }

    private static let deliveries = Mutex<[DeliveryKey: Counter]>([:])
    private static let callTimers = Mutex<[Provider: Metrics.Timer]>([:])
    private static let claimToCallTimer = Metrics.Timer(label: "batchsender_claim_to_call_seconds")
    private static let lost = Counter(label: "batchsender_lost_outcomes_total")
    private static let writeFailures = Counter(label: "batchsender_completion_write_failures_total")
    private static let rescuedCounter = Counter(label: "batchsender_leases_rescued_total")
    private static let repairedCounter = Counter(label: "batchsender_stuck_batches_repaired_total")
    private static let renewalFailures = Counter(label: "batchsender_lease_renewal_failures_total")
    private static let lateCounter = Counter(label: "batchsender_late_outcomes_total")
    private static let poisonCounter = Counter(label: "batchsender_unwritable_outcomes_total")
    private static let abandonedCounter = Counter(label: "batchsender_abandoned_outcomes_total")
    private static let storeErrors = Mutex<[String: Counter]>([:])

    static func delivery(module: Module, provider: Provider, resolution: DeliveryResolution) {
        let key = DeliveryKey(module: module, provider: provider, outcome: resolution.metricName)
        let counter = deliveries.withLock { cache in
            if let counter = cache[key] { return counter }
            let counter = Counter(label: "batchsender_deliveries_total", dimensions: [
                ("module", module.rawValue), ("provider", provider.rawValue), ("outcome", key.outcome),
            ])
            cache[key] = counter
            return counter
        }
        counter.increment()
    }

    static func providerCall(provider: Provider, nanoseconds: Int64) {
        let timer = callTimers.withLock { cache in
            if let timer = cache[provider] { return timer }
            let timer = Metrics.Timer(
                label: "batchsender_provider_call_duration_seconds", dimensions: [("provider", provider.rawValue)])
            cache[provider] = timer
            return timer
        }
        timer.recordNanoseconds(nanoseconds)
    }

    /// From claim to provider call: how long claimed work waits inside the engine.
    static func claimToCall(nanoseconds: Int64) {
        claimToCallTimer.recordNanoseconds(nanoseconds)
    }

    static func lostOutcomes(_ count: Int) { lost.increment(by: count) }

    static func completionWriteFailure() { writeFailures.increment() }

    static func rescued(_ count: Int) { rescuedCounter.increment(by: count) }

    static func stuckBatchesRepaired(_ count: Int) { repairedCounter.increment(by: count) }

    static func leaseRenewalFailure() { renewalFailures.increment() }

    /// Outcomes that arrived after the rescuer took their lease back, and still applied.
    static func lateOutcomes(_ count: Int) { lateCounter.increment(by: count) }

    /// Outcomes the store refused on their own while it accepted others: recorded as failed.
    static func unwritableOutcome() { poisonCounter.increment() }

    /// Outcomes never written (shutdown deadline, or a row that refuses even a failure): their
    /// leases expire and the rescuer re-queues them.
    static func abandonedOutcomes(_ count: Int) { abandonedCounter.increment(by: count) }

    /// A store operation of the engine or maintenance failed (`operation`: claim, complete,
    /// extend_leases, due_work, …): the outage the logs tell once, counted every time.
    static func storeError(operation: String) {
        let counter = storeErrors.withLock { cache in
            if let counter = cache[operation] { return counter }
            let counter = Counter(label: "batchsender_store_errors_total", dimensions: [("operation", operation)])
            cache[operation] = counter
            return counter
        }
        counter.increment()
    }
}

extension DeliveryResolution {
    var metricName: String {
        switch self {
        case .sent: "sent"
        case .delivered: "delivered"
        case .failed: "failed"
        case .retry: "retry"
        case .released: "deferred"
        case .suppressed, .optedOut: "suppressed"
        }
    }
}
