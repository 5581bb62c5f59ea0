import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Foundation
import Logging

/// The live `ProviderFactory`: one case per provider the product speaks.
public struct ProviderRegistry: ProviderFactory {
    let recordSandbox: SandboxProvider.Recorder
    let client: HTTPClient?
    let logger: Logger
    let smtp: (@Sendable (ProviderConfiguration) throws -> any DeliveryProvider)?

    /// - Parameters:
    ///   - recordSandbox: where sandbox providers keep what they "send".
    ///   - client: the process-wide delivery HTTP client (`DeliveryHTTPClient.makeHTTPClient`);
    ///     without one, HTTP providers are unavailable.
    ///   - smtp: builds SMTP providers (they keep connection pools of their own).
    public init(
        recordSandbox: @escaping SandboxProvider.Recorder, client: HTTPClient? = nil,
        logger: Logger = Logger(label: "batchsender.providers"),
        smtp: (@Sendable (ProviderConfiguration) throws -> any DeliveryProvider)? = nil
    ) {
        self.recordSandbox = recordSandbox
        self.client = client
        self.logger = logger
        self.smtp = smtp
    }

    public func makeProvider(_ configuration: ProviderConfiguration) throws -> any DeliveryProvider {
        let provider = configuration.sendConfig.provider
        var logger = logger
        logger[metadataKey: "provider"] = "\(provider.rawValue)"
        logger[metadataKey: "send_config.id"] = "\(configuration.sendConfig.id.rawValue)"
        switch provider {
        case .sandbox:
            return SandboxProvider(configuration: configuration, record: recordSandbox)
        case .smtp:
            return try smtp?(configuration) ?? SMTPProvider(configuration: configuration, logger: logger)
        case .http, .resend, .ses, .twilio, .vonage, .telnyx:
            guard let client else { return UnavailableProvider(provider: provider) }
            return httpProvider(configuration, client: client, logger: logger)
        case .hubspot, .salesforce, .pipedrive:
            return UnavailableProvider(provider: provider)
        }
    }

    private func httpProvider(_ configuration: ProviderConfiguration, client: HTTPClient, logger: Logger)
        -> any DeliveryProvider
    {
        switch configuration.sendConfig.provider {
        case .http: WebhookProvider(configuration: configuration, client: client, logger: logger)
        case .resend: ResendProvider(configuration: configuration, client: client, logger: logger)
        case .twilio: TwilioProvider(configuration: configuration, client: client, logger: logger)
        case .vonage: VonageProvider(configuration: configuration, client: client, logger: logger)
        case .telnyx: TelnyxProvider(configuration: configuration, client: client, logger: logger)
        case .ses: SESProvider(configuration: configuration, client: client, logger: logger)
        default: UnavailableProvider(provider: configuration.sendConfig.provider)
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
