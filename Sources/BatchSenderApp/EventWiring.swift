import AsyncHTTPClient
import BatchSenderAPI
import BatchSenderCore
import BatchSenderEvents
import BatchSenderProviders
import BatchSenderSignatures
import Foundation
import Logging
import Metrics
import NIOCore
import Synchronization

extension Engine {
    /// The events endpoint's services: SNS certificates and subscription confirmations go
    /// through the delivery HTTP client (no redirects), only to URLs the SNS pattern allows, and
    /// through the same SSRF guard and address pinning as every other outbound connection.
    static func eventServices(_ config: AppConfig, client: HTTPClient, logger: Logger) throws -> EventServices {
        let fetcher = GuardedFetcher(
            client: client, guardrail: DestinationGuard(policy: config.networkPolicy, resolver: CachingHostResolver()))
        let sns = try SNSVerifier(pattern: config.snsCertURLPattern) { url in
            try await fetcher.get(url, limit: 64 * 1024)
        }
        return EventServices(
            intake: EventIntake(sns: sns), publicURL: config.publicURL,
            confirmSubscription: { url in
                guard sns.isAllowed(url) else { throw EventFetchError("the SubscribeURL is not allowed") }
                _ = try await fetcher.get(url, limit: 64 * 1024)
            },
            count: EventMetrics.count)
    }
}

/// GETs of small documents (SNS certificates, subscription confirmations) past the SSRF guard.
struct GuardedFetcher: Sendable {
    let client: HTTPClient
    let guardrail: DestinationGuard
    let pins = PinnedClients(capacity: 4)

    /// GETs `url` and returns at most `limit` bytes of a 200 answer.
    func get(_ url: String, limit: Int) async throws -> [UInt8] {
        let address: IPAddress?
        switch await guardrail.check(url) {
        case .allowed(let approved): address = approved
        case .refused(let reason), .unresolved(let reason): throw EventFetchError("GET \(url): \(reason)")
        }
        return try await pins.withClient(url: url, address: address, base: client) { client in
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            guard response.status.code == 200 else { throw EventFetchError("GET \(url) answered \(response.status.code)") }
            var bytes: [UInt8] = []
            for try await chunk in response.body {
                bytes += chunk.readableBytesView
                if bytes.count > limit { throw EventFetchError("GET \(url): the answer is too large") }
            }
            return bytes
        }
    }
}

struct EventFetchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `batchsender_events_total{provider,result}`: every provider event request, by what became of it.
enum EventMetrics {
    private static let counters = Mutex<[String: Counter]>([:])

    static func count(provider: String, result: String, amount: Int) {
        guard amount > 0 else { return }
        let key = "\(provider)|\(result)"
        let counter = counters.withLock { counters in
            if let existing = counters[key] { return existing }
            let made = Counter(label: "batchsender_events_total", dimensions: [("provider", provider), ("result", result)])
            counters[key] = made
            return made
        }
        counter.increment(by: amount)
    }
}
