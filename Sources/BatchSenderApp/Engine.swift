import BatchSenderAPI
import BatchSenderCore
import BatchSenderDelivery
import BatchSenderProviders
import BatchSenderSecrets
import BatchSenderStore
import BatchSenderWorker
import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// The delivery side of the process: the engine, its maintenance and the services they need.
struct Engine {
    let signal: EngineSignal
    /// The outbound HTTP client: test sends need it in every role.
    let httpClient: any Service
    /// The delivery engine and its maintenance: only in roles that deliver.
    let delivery: [any Service]
    let testSender: TestSender
    let events: EventServices

    /// - Parameters:
    ///   - signal: wakes this engine's runners.
    ///   - notifier: what maintenance tells when it starts scheduled batches or rescues leases:
    ///     `signal`, and with PostgreSQL the other processes too (`Wakeups`).
    static func make(
        _ config: AppConfig, store: some DataStore & DeliveryQueue, sealer: CredentialSealer, masterKey: Data,
        signal: EngineSignal, notifier: any DeliveryNotifier, logger: Logger
    ) throws -> Engine {
        // Unguessable, stable message keys: one receiver cannot name another's messages.
        let messageKeys = MessageKeys.tagged(masterKey: masterKey)
        var settings = EngineSettings()
        settings.messageKeys = messageKeys
        settings.pollInterval = config.pollInterval
        let httpClient = DeliveryHTTPClient.makeHTTPClient(backgroundActivityLogger: logger)
        let registry = ProviderRegistry(
            recordSandbox: { try await store.recordSandboxMessages($0) }, client: httpClient, logger: logger,
            smtp: { SMTPProvider(configuration: $0, logger: logger) })
        let providers: DeliveryEngine.ProviderResolver = { sendConfig in
            let credentials = try sealer.open(sendConfig.sealedCredentials, for: sendConfig.id)
            return try registry.makeProvider(ProviderConfiguration(
                sendConfig: sendConfig, credentials: credentials, blockPrivateNetworks: !config.allowPrivateNetworks,
                publicURL: config.publicURL, networkPolicy: config.networkPolicy))
        }
        let engine = DeliveryEngine(queue: store, providers: providers, settings: settings, signal: signal, logger: logger)
        let maintenance = Maintenance(queue: store, notifier: notifier, logger: logger, events: store, idempotency: store)
        var events = try eventServices(config, client: httpClient, logger: logger)
        events.messageKeys = messageKeys
        // The client outlives the engine: it shuts down after in-flight calls have finished.
        return Engine(
            signal: signal, httpClient: HTTPClientService(client: httpClient), delivery: [engine, maintenance],
            testSender: testSender(providers: providers),
            events: events)
    }
}
