import BatchSenderCore
import Foundation

/// One recipient's rendered message on its way to a provider.
public struct OutboundMessage: Hashable, Sendable {
    public var recipientID: Recipient.ID
    public var batchID: Batch.ID
    /// Stable for the recipient across retries and restarts; sent to providers that accept one
    /// (`Idempotency-Key`, `webhook-id`) so a repeated call is recognised (CONTRACT §5).
    public var idempotencyKey: String
    /// 1 for the first try.
    public var attempt: Int
    public var message: RenderedMessage

    public init(recipientID: Recipient.ID, batchID: Batch.ID, idempotencyKey: String, attempt: Int, message: RenderedMessage) {
        self.recipientID = recipientID
        self.batchID = batchID
        self.idempotencyKey = idempotencyKey
        self.attempt = attempt
        self.message = message
    }

    /// The idempotency key of a recipient (`MessageKey`).
    public static func idempotencyKey(batch: Batch.ID, recipient: Recipient.ID) -> String {
        MessageKey.make(batch: batch, recipient: recipient)
    }
}

/// A provider connection built from one send config. Implementations live in
/// `BatchSenderProviders`; the engine sees only this protocol.
public protocol DeliveryProvider: Sendable {
    /// Most messages one `send` call takes (1 for webhooks, 100 for Resend's batch endpoint).
    var maxBatchSize: Int { get }

    /// Sends `messages` (at most `maxBatchSize`) and returns exactly one outcome per message, in
    /// the same order. Expected failures are outcomes, never thrown errors.
    func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome]

    /// The host a message goes to, for the per-destination circuit breaker.
    func destination(of message: OutboundMessage) -> String

    /// Releases what the provider holds open (SMTP sessions get their QUIT) once no call is in
    /// flight any more; the engine calls it when the provider's runner stops.
    func shutdown() async
}

extension DeliveryProvider {
    /// Most providers hold nothing of their own (the HTTP client is the process's).
    public func shutdown() async {}
}

/// What a provider is built from: the send config and its opened credentials.
public struct ProviderConfiguration: Sendable {
    public var sendConfig: SendConfig
    public var credentials: [String: String]
    /// The SSRF policy every connection the provider opens is checked against.
    public var networkPolicy: NetworkPolicy
    /// `BATCHSENDER_PUBLIC_URL`: where providers reach us (status callbacks), when configured.
    public var publicURL: String?

    /// Refuse loopback and private destinations unless false (link-local and metadata are
    /// refused whatever it says).
    public var blockPrivateNetworks: Bool {
        get { !networkPolicy.allowPrivateNetworks }
        set { networkPolicy.allowPrivateNetworks = !newValue }
    }

    /// - Parameter networkPolicy: the full policy; without one, `blockPrivateNetworks` alone decides.
    public init(
        sendConfig: SendConfig, credentials: [String: String], blockPrivateNetworks: Bool, publicURL: String? = nil,
        networkPolicy: NetworkPolicy? = nil
    ) {
        self.sendConfig = sendConfig
        self.credentials = credentials
        self.networkPolicy = networkPolicy ?? NetworkPolicy(allowPrivateNetworks: !blockPrivateNetworks)
        self.publicURL = publicURL
    }

    public var settings: [String: JSONValue] { sendConfig.settings }

    /// Our events endpoint for this send config as providers see it (CONTRACT §6), or `nil`
    /// without a public URL.
    public func eventsURL(for provider: String) -> String? {
        guard var base = publicURL, !base.isEmpty else { return nil }
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/v1/events/\(provider)/\(sendConfig.id.rawValue)"
    }
}

/// Builds providers for send configs; the composition root registers the real ones.
public protocol ProviderFactory: Sendable {
    func makeProvider(_ configuration: ProviderConfiguration) throws -> any DeliveryProvider
}
