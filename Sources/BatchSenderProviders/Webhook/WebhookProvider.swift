import BatchSenderSignatures
import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Logging
import NIOCore

/// The `http` provider of the webhook module: one HTTP call per recipient, Standard Webhooks
/// headers and (with `credentials.signingSecret`) signature, SSRF guard, and classification of
/// every answer into a `DeliveryOutcome` (CONTRACT §3–§5).
public struct WebhookProvider: DeliveryProvider {
    /// Most bytes of a response body we read; enough for an error message, and keeps a huge
    /// answer from costing memory.
    static let maxResponseBytes = 4096

    let client: HTTPClient
    let guardrail: DestinationGuard
    /// Connections go to the address the guard checked, never to a second lookup's answer.
    let pins: PinnedClients
    let signer: StandardWebhookSigner?
    /// Set when `signingSecret` is present but unusable: every send is refused, never unsigned.
    let secretProblem: String?
    let logger: Logger
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - configuration: the send config; `credentials["signingSecret"]` (`whsec_` + base64)
    ///     enables signing, `blockPrivateNetworks` the SSRF guard.
    ///   - client: the process-wide client from `DeliveryHTTPClient.makeHTTPClient()` (redirects
    ///     disabled); the caller owns its shutdown.
    ///   - resolver: resolves names for the SSRF guard; tests inject a fake one.
    ///   - pins: the clients pinned to checked addresses; tests inject a factory.
    ///   - logger: request-level logging (AsyncHTTPClient logs at debug and trace only).
    ///   - now: the clock for `webhook-timestamp`.
    public init(
        configuration: ProviderConfiguration,
        client: HTTPClient,
        resolver: any HostResolver = CachingHostResolver(),
        pins: PinnedClients = PinnedClients(),
        logger: Logger = Logger(label: "batchsender.webhook"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.guardrail = DestinationGuard(policy: configuration.networkPolicy, resolver: resolver)
        self.pins = pins
        if let secret = configuration.credentials["signingSecret"], !secret.isEmpty {
            signer = StandardWebhookSigner(secret: secret)
            secretProblem = signer == nil ? "signingSecret is not whsec_ followed by base64" : nil
        } else {
            signer = nil
            secretProblem = nil
        }
        var logger = logger
        logger[metadataKey: "provider"] = "http"
        logger[metadataKey: "send_config.id"] = "\(configuration.sendConfig.id.rawValue)"
        self.logger = logger
        self.now = now
    }

    /// Webhooks are one HTTP call each.
    public var maxBatchSize: Int { 1 }

    /// The URL's host, lowercased, so the circuit breaker opens per receiving host.
    public func destination(of message: OutboundMessage) -> String {
        guard case .webhook(let webhook) = message.message else { return "invalid" }
        return URLComponents(string: webhook.url)?.host?.lowercased() ?? "invalid"
    }

    public func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] {
        var outcomes: [DeliveryOutcome] = []
        for message in messages { outcomes.append(await send(message)) }
        return outcomes
    }

    /// Sends one message; never throws.
    func send(_ message: OutboundMessage) async -> DeliveryOutcome {
        guard case .webhook(let webhook) = message.message else {
            return .reject(reason: "the http provider delivers webhook messages only")
        }
        if let secretProblem { return .reject(reason: secretProblem) }
        let timestamp = Timestamp.unixSeconds(now())
        let request: WebhookRequest
        switch WebhookRequest.make(webhook, idempotencyKey: message.idempotencyKey, timestamp: timestamp, signer: signer) {
        case .success(let made): request = made
        case .failure(let error): return .reject(reason: error.message)
        }
        // One budget for the lookup, the connection and the answer.
        let deadline = ContinuousClock.now + request.timeout
        let address: IPAddress?
        switch await guardrail.check(request.url, lookupTimeout: request.timeout) {
        case .allowed(let approved): address = approved
        case .refused(let reason): return .reject(reason: reason)
        case .unresolved(let reason): return .retry(reason: reason, after: nil)
        }
        let outcome = await exchange(request, address: address, messageID: message.idempotencyKey, deadline: deadline)
        logger.debug("webhook sent", metadata: [
            "recipient.id": "\(message.recipientID.rawValue)", "attempt": "\(message.attempt)",
            "outcome": "\(outcome)",
        ])
        return outcome
    }

    /// The HTTP call itself: the head within the deadline, then at most `maxResponseBytes` of the
    /// body, best effort (a 2xx is a success even if its body then stalls). `address` is the
    /// checked address of a named host (`nil` for a literal one).
    private func exchange(
        _ request: WebhookRequest, address: IPAddress?, messageID: String, deadline: ContinuousClock.Instant
    ) async -> DeliveryOutcome {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return WebhookClassifier.outcome(error: DeadlineExceeded(), timeout: request.timeout) }
        let logger = self.logger
        let answer: (response: HTTPClientResponse, body: String)
        do {
            answer = try await pins.withClient(url: request.url, address: address, base: client) { client in
                // AsyncHTTPClient enforces the timeout itself (head and body): no extra timer task per call.
                let response = try await client.execute(
                    request.clientRequest, timeout: .nanoseconds(Self.nanoseconds(remaining)), logger: logger)
                // Read (for a 2xx: drain) a small answer, so the connection goes back to the pool.
                return (response, await Self.readExcerpt(response.body, deadline: deadline))
            }
        } catch {
            return WebhookClassifier.outcome(error: error, timeout: request.timeout)
        }
        let response = answer.response
        return WebhookClassifier.outcome(
            status: Int(response.status.code), body: answer.body, location: response.headers.first(name: "location"),
            retryAfter: response.headers.first(name: "retry-after"), messageID: messageID, now: now())
    }

    /// Up to `maxResponseBytes` of `body` as text; stops early at the deadline or on an error.
    private static func readExcerpt(_ body: HTTPClientResponse.Body, deadline: ContinuousClock.Instant) async -> String {
        let bytes = try? await withDeadline(deadline) {
            var collected: [UInt8] = []
            for try await chunk in body {
                collected.append(contentsOf: chunk.readableBytesView.prefix(Self.maxResponseBytes - collected.count))
                if collected.count >= Self.maxResponseBytes { break }  // the rest is dropped with the connection
            }
            return collected
        }
        return String(decoding: bytes ?? [], as: UTF8.self)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
