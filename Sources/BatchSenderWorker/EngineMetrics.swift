import BatchSenderCore
import BatchSenderStore
import Metrics

/// The engine's swift-metrics instruments (`batchsender_*`, CONTRACT §8).
enum EngineMetrics {
    static func delivery(module: Module, provider: Provider, resolution: DeliveryResolution) {
        Counter(label: "batchsender_deliveries_total", dimensions: [
            ("module", module.rawValue), ("provider", provider.rawValue), ("outcome", resolution.metricName),
        ]).increment()
    }

    static func providerCall(provider: Provider, nanoseconds: Int64) {
        Timer(label: "batchsender_provider_call_duration_seconds", dimensions: [("provider", provider.rawValue)])
            .recordNanoseconds(nanoseconds)
    }

    /// From claim to provider call: how long claimed work waits inside the engine.
    static func claimToCall(nanoseconds: Int64) {
        Timer(label: "batchsender_claim_to_call_seconds").recordNanoseconds(nanoseconds)
    }

    static func lostOutcomes(_ count: Int) {
        Counter(label: "batchsender_lost_outcomes_total").increment(by: count)
    }

    static func completionWriteFailure() {
        Counter(label: "batchsender_completion_write_failures_total").increment()
    }

    static func rescued(_ count: Int) {
        Counter(label: "batchsender_leases_rescued_total").increment(by: count)
    }

    static func stuckBatchesRepaired(_ count: Int) {
        Counter(label: "batchsender_stuck_batches_repaired_total").increment(by: count)
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
        case .suppressed: "suppressed"
        }
    }
}
