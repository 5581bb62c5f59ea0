import BatchSenderCore
import BatchSenderDelivery
import BatchSenderProviders
import BatchSenderSecrets
import BatchSenderStore
import BatchSenderWorker
import Foundation
import Logging
import ServiceLifecycle

/// The delivery side of the process: the engine, its maintenance and the services they need.
struct Engine {
    let signal: EngineSignal
    let services: [any Service]

    static func make(
        _ config: AppConfig, store: some DataStore & DeliveryQueue, sealer: CredentialSealer, logger: Logger
    ) -> Engine {
        let signal = EngineSignal()
        let registry = ProviderRegistry(recordSandbox: { try await store.recordSandboxMessages($0) })
        let blockPrivate = !config.allowPrivateNetworks
        let engine = DeliveryEngine(
            queue: store,
            providers: { sendConfig in
                let credentials = try sealer.open(sendConfig.sealedCredentials, for: sendConfig.id)
                return try registry.makeProvider(ProviderConfiguration(
                    sendConfig: sendConfig, credentials: credentials, blockPrivateNetworks: blockPrivate))
            },
            signal: signal, logger: logger)
        let maintenance = Maintenance(queue: store, notifier: signal, logger: logger)
        return Engine(signal: signal, services: [engine, maintenance])
    }
}
