import BatchSenderCore
import BatchSenderStore
import CoreMetrics
import Metrics
import Prometheus

/// The process's metrics: swift-metrics bootstrapped once onto a Prometheus registry, plus the
/// gauges read from the store on each scrape.
public enum PrometheusExport {
    /// Bootstrapping swift-metrics is once per process; a `static let` runs exactly once, however
    /// many applications (tests) are built.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["batchsender_provider_call_duration_seconds"] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            .seconds(10), .seconds(30),
        ]
        factory.durationHistogramBuckets["batchsender_claim_to_call_seconds"] = [
            .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        // Series exist from the first scrape, before any delivery, so dashboards and alerts see zeros.
        for module in Module.allCases {
            for provider in module.providers {
                for outcome in ["sent", "delivered", "failed"] {
                    Counter(label: "batchsender_deliveries_total", dimensions: [
                        ("module", module.rawValue), ("provider", provider.rawValue), ("outcome", outcome),
                    ]).increment(by: 0)
                }
            }
        }
        for provider in Provider.allCases {
            _ = Timer(label: "batchsender_provider_call_duration_seconds", dimensions: [("provider", provider.rawValue)])
        }
        return registry
    }()

    /// Prometheus text for `/metrics`, with the queue gauges refreshed from `queue`.
    public static func render(queue: any DeliveryQueue) async throws -> String {
        let registry = Self.registry
        let depth = try await queue.queueDepth()
        Gauge(label: "batchsender_queue_depth").record(depth)
        let batches = try await queue.batchCountsByStatus()
        for status in BatchStatus.allCases {
            Gauge(label: "batchsender_batches", dimensions: [("status", status.rawValue)]).record(batches[status] ?? 0)
        }
        return registry.emitToString()
    }
}
