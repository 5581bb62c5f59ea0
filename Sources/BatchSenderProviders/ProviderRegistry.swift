import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Foundation

/// The live `ProviderFactory`: one case per provider the product speaks.
public struct ProviderRegistry: ProviderFactory {
    let recordSandbox: SandboxProvider.Recorder
    let webhooks: (@Sendable (ProviderConfiguration) throws -> any DeliveryProvider)?
    let smtp: (@Sendable (ProviderConfiguration) throws -> any DeliveryProvider)?

    /// - Parameters:
    ///   - recordSandbox: where sandbox providers keep what they "send".
    ///   - webhooks: builds the webhook provider (it needs the process's HTTP client).
    ///   - smtp: builds the SMTP provider; without it, a plain `SMTPProvider`.
    public init(
        recordSandbox: @escaping SandboxProvider.Recorder,
        webhooks: (@Sendable (ProviderConfiguration) throws -> any DeliveryProvider)? = nil,
        smtp: (@Sendable (ProviderConfiguration) throws -> any DeliveryProvider)? = nil
    ) {
        self.recordSandbox = recordSandbox
        self.webhooks = webhooks
        self.smtp = smtp
    }

    public func makeProvider(_ configuration: ProviderConfiguration) throws -> any DeliveryProvider {
        switch configuration.sendConfig.provider {
        case .sandbox:
            return SandboxProvider(configuration: configuration, record: recordSandbox)
        case .http:
            if let webhooks { return try webhooks(configuration) }
            return UnavailableProvider(provider: .http)
        case .smtp:
            return try smtp?(configuration) ?? SMTPProvider(configuration: configuration)
        case .resend, .ses, .twilio, .vonage, .telnyx, .hubspot, .salesforce, .pipedrive:
            return UnavailableProvider(provider: configuration.sendConfig.provider)
        }
    }
}

/// A provider this build cannot send through yet: every message fails at once with a reason
/// that says so, rather than waiting in the queue forever.
public struct UnavailableProvider: DeliveryProvider {
    public let provider: Provider

    public var maxBatchSize: Int { 100 }

    public func destination(of message: OutboundMessage) -> String { provider.rawValue }

    public func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] {
        messages.map { _ in .reject(reason: "provider \(provider.rawValue) is not available in this build") }
    }
}
