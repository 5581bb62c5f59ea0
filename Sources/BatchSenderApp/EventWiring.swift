import AsyncHTTPClient
import BatchSenderAPI
import BatchSenderEvents
import BatchSenderSignatures
import Foundation
import Logging
import Metrics
import NIOCore
import Synchronization

extension Engine {
    /// The events endpoint's services: SNS certificates and subscription confirmations go
    /// through the delivery HTTP client (no redirects), only to URLs the SNS pattern allows.
    static func eventServices(_ config: AppConfig, client: HTTPClient, logger: Logger) throws -> EventServices {
        let sns = try SNSVerifier(pattern: config.snsCertURLPattern) { url in
            try await get(url, client: client, limit: 64 * 1024)
        }
        return EventServices(
            intake: EventIntake(sns: sns), publicURL: config.publicURL,
            confirmSubscription: { url in
                guard sns.isAllowed(url) else { throw EventFetchError("the SubscribeURL is not allowed") }
                _ = try await get(url, client: client, limit: 64 * 1024)
            },
            count: EventMetrics.count)
    }

    /// GETs `url` and returns at most `limit` bytes of a 200 answer.
    private static func get(_ url: String, client: HTTPClient, limit: Int) async throws -> [UInt8] {
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
