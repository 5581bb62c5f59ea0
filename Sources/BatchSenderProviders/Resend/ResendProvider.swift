import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Logging

/// The `resend` email provider: Resend's batch endpoint, up to 100 emails per call, in
/// permissive validation mode so one bad address does not hold back the other 99; each
/// email's id or error mapped back to its recipient (CONTRACT §3, issue #4).
public struct ResendProvider: DeliveryProvider {
    static let defaultBaseURL = "https://api.resend.com"

    let http: ProviderHTTP
    let endpoint: String
    let apiKey: String
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - configuration: `credentials.apiKey`; `settings.baseUrl` (default `https://api.resend.com`).
    ///   - client: the process-wide delivery client.
    public init(
        configuration: ProviderConfiguration, client: HTTPClient,
        logger: Logger = Logger(label: "batchsender.resend"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        http = ProviderHTTP(client: client, logger: logger, policy: configuration.networkPolicy)
        endpoint = ProviderHTTP.endpoint(configuration.settings, default: Self.defaultBaseURL, path: "/emails/batch")
        apiKey = configuration.credentials["apiKey"] ?? ""
        self.now = now
    }

    public var maxBatchSize: Int { ResendRequest.maxMessages }

    public func destination(of message: OutboundMessage) -> String { ProviderHTTP.host(of: endpoint) }

    public func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] {
        var outcomes = [DeliveryOutcome?](repeating: nil, count: messages.count)
        var sendable: [(index: Int, message: OutboundMessage)] = []
        for (index, message) in messages.enumerated() {
            if case .email = message.message {
                sendable.append((index, message))
            } else {
                outcomes[index] = .reject(reason: "the resend provider sends email messages only")
            }
        }
        if !sendable.isEmpty {
            let results = await call(sendable.map(\.message))
            for (slot, result) in zip(sendable, results) { outcomes[slot.index] = result }
        }
        return outcomes.map { $0 ?? .retry(reason: "resend: no outcome", after: nil) }
    }

    /// One batch call for `messages` (all emails, at most 100).
    private func call(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] {
        let request = ResendRequest(messages)
        let answer: ProviderHTTP.Answer
        switch await http.send(.POST, endpoint, headers: [
            ("Authorization", "Bearer \(apiKey)"), ("Content-Type", "application/json"),
            ("Idempotency-Key", request.idempotencyKey), ("x-batch-validation", "permissive"),
        ], body: request.body) {
        case .success(let received): answer = received
        case .failure(let failure): return messages.map { _ in failure.outcome }
        }
        return ResendAnswer.outcomes(answer, count: messages.count, now: now())
    }
}
