import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The dispatcher: finds send configs with due work and keeps one `ConfigRunner` per config
/// running. A `Service`: on graceful shutdown it stops claiming, lets in-flight calls finish and
/// writes their outcomes before returning (CONTRACT §8: SIGTERM).
public final class DeliveryEngine: Service, Sendable {
    /// Builds the provider for a send config (opening its credentials); the composition root
    /// supplies it.
    public typealias ProviderResolver = @Sendable (SendConfig) async throws -> any DeliveryProvider

    private let queue: any DeliveryQueue
    private let providers: ProviderResolver
    private let settings: EngineSettings
    private let now: @Sendable () -> Date
    private let logger: Logger
    public let signal: EngineSignal
    private let writer: CompletionWriter
    private let runners = Mutex<[SendConfig.ID: ConfigRunner]>([:])
    /// Configs whose provider could not be built, and when to try again: a broken config is
    /// logged every 30 s, not on every poll.
    private let brokenUntil = Mutex<[SendConfig.ID: ContinuousClock.Instant]>([:])

    public init(
        queue: any DeliveryQueue, providers: @escaping ProviderResolver, settings: EngineSettings = EngineSettings(),
        signal: EngineSignal = EngineSignal(), now: @escaping @Sendable () -> Date = { Date() }, logger: Logger,
        onBatchesCompleted: @escaping @Sendable ([Batch.ID]) -> Void = { _ in }
    ) {
        self.queue = queue
        self.providers = providers
        self.settings = settings
        self.signal = signal
        self.now = now
        self.logger = logger
        self.writer = CompletionWriter(
            queue: queue, settings: settings, now: now, logger: logger, onCompleted: onBatchesCompleted)
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                while !Task.isCancelled && !isShuttingDown {
                    let generation = signal.generation
                    retireChangedConfigs()
                    await startRunners(in: &group)
                    await signal.wait(after: generation, timeout: settings.pollInterval)
                }
            } onGracefulShutdown: {
                self.beginShutdown()
            }
            beginShutdown()
        }
        // Every runner has returned: all in-flight outcomes are submitted. Write them.
        await writer.drain()
        logger.info("delivery engine stopped")
    }

    private let shuttingDown = Mutex(false)
    private var isShuttingDown: Bool { shuttingDown.withLock { $0 } }

    private func beginShutdown() {
        shuttingDown.withLock { $0 = true }
        for runner in runners.withLock({ Array($0.values) }) { runner.stop() }
        signal.workAvailable()
    }

    /// Stops the runners of changed send configs (their calls in flight finish); the next round
    /// starts fresh ones with the new credentials, settings and limits.
    private func retireChangedConfigs() {
        for id in signal.takeChangedConfigs() {
            brokenUntil.withLock { $0[id] = nil }
            runners.withLock { $0.removeValue(forKey: id) }?.stop()
        }
    }

    /// Starts a runner for each config with due work that has none.
    private func startRunners(in group: inout DiscardingTaskGroup) async {
        let due: [SendConfig.ID]
        do {
            due = try await queue.sendConfigsWithDueWork(now: now())
        } catch {
            logger.error("cannot look for due work", metadata: ["error": "\(String(reflecting: error))"])
            return
        }
        let clock = ContinuousClock.now
        for id in due where runners.withLock({ $0[id] == nil }) && !isShuttingDown {
            if let until = brokenUntil.withLock({ $0[id] }), clock < until { continue }
            guard let runner = await makeRunner(id) else { continue }
            runners.withLock { $0[id] = runner }
            group.addTask {
                await runner.run()
                self.runners.withLock { runners in
                    if runners[id] === runner { runners[id] = nil }
                }
                // It may have stopped for idleness just as work arrived.
                self.signal.workAvailable()
            }
        }
    }

    private func makeRunner(_ id: SendConfig.ID) async -> ConfigRunner? {
        do {
            guard let config = try await queue.sendConfigForDelivery(id) else { return nil }
            let provider = try await providers(config)
            return ConfigRunner(
                config: config, provider: provider, queue: queue, writer: writer, signal: signal, settings: settings,
                now: now, logger: logger)
        } catch {
            brokenUntil.withLock { $0[id] = ContinuousClock.now + .seconds(30) }
            logger.error(
                "cannot start delivery for send config; its recipients wait until it is fixed",
                metadata: ["send_config.id": "\(id)", "error": "\(String(reflecting: error))"])
            return nil
        }
    }
}
