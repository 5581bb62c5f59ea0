import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The dispatcher: finds send configs with due work and keeps one `ConfigRunner` per config
/// running. A `Service`: on graceful shutdown it stops claiming and releases claimed work whose
/// call has not started, lets calls in flight finish for up to `shutdownCallDeadline` (then
/// cancels them, releasing their recipients with the attempt given back), and writes outcomes for
/// up to `shutdownWriteDeadline` more (CONTRACT §8: SIGTERM, exit within 30 s).
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
    private let keeper: LeaseKeeper
    /// One outage, one warning: shared by the dispatcher, runners, writer and lease keeper.
    private let outage: StoreOutage
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
        let outage = StoreOutage(subject: "delivery", meanwhile: StoreOutage.deliveryMeanwhile, logger: logger)
        self.outage = outage
        let keeper = LeaseKeeper(queue: queue, settings: settings, now: now, logger: logger, outage: outage)
        self.keeper = keeper
        self.writer = CompletionWriter(
            queue: queue, settings: settings, now: now, logger: logger, keeper: keeper, outage: outage,
            onCompleted: onBatchesCompleted)
    }

    public func run() async throws {
        // Leases are renewed from the first claim until the last outcome is written.
        let renewals = Task { await keeper.run() }
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
            // Calls in flight get until the deadline; then they are cancelled (their recipients
            // are released by the runners) and the group finishes at once.
            await waitForRunners(until: ContinuousClock.now + settings.shutdownCallDeadline)
            group.cancelAll()
        }
        // Every runner has returned: all outcomes are submitted. Write them, within limits.
        let abandoned = await writer.drain(until: ContinuousClock.now + settings.shutdownWriteDeadline)
        renewals.cancel()
        logger.info("delivery engine stopped", metadata: abandoned > 0 ? ["outcomes.abandoned": "\(abandoned)"] : [:])
    }

    /// Runner tasks still running, retired ones (a changed send config) included.
    private let running = Mutex(0)

    /// Returns when no runner task is left, or at `deadline`.
    private func waitForRunners(until deadline: ContinuousClock.Instant) async {
        while running.withLock({ $0 > 0 }) && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private let shuttingDown = Mutex(false)
    private var isShuttingDown: Bool { shuttingDown.withLock { $0 } }

    private func beginShutdown() {
        shuttingDown.withLock { $0 = true }
        for runner in runners.withLock({ Array($0.values) }) { runner.stop(releasingUnstarted: true) }
        signal.workAvailable()
    }

    /// Stops the runners of changed send configs (their calls in flight finish); the next round
    /// starts fresh ones with the new credentials, settings and limits.
    private func retireChangedConfigs() {
        let changed = signal.changedConfigs
        for id in changed {
            brokenUntil.withLock { $0[id] = nil }
            runners.withLock { $0.removeValue(forKey: id) }?.stop()
        }
        signal.retired(changed)
    }

    /// Starts a runner for each config with due work that has none.
    private func startRunners(in group: inout DiscardingTaskGroup) async {
        let due: [SendConfig.ID]
        do {
            due = try await queue.sendConfigsWithDueWork(now: now())
            // The dispatcher polls every second whatever else runs: it notices the end of an
            // outage nothing was writing through.
            outage.succeeded(write: false)
        } catch {
            outage.failed("due_work", error, write: false)
            return
        }
        let clock = ContinuousClock.now
        for id in due where runners.withLock({ $0[id] == nil }) && !isShuttingDown {
            if let until = brokenUntil.withLock({ $0[id] }), clock < until { continue }
            guard let runner = await makeRunner(id) else { continue }
            runners.withLock { $0[id] = runner }
            running.withLock { $0 += 1 }
            group.addTask {
                await runner.run()
                self.running.withLock { $0 -= 1 }
                self.runners.withLock { runners in
                    if runners[id] === runner { runners[id] = nil }
                }
                // It may have stopped for idleness just as work arrived.
                self.signal.workAvailable()
            }
        }
    }

    private func makeRunner(_ id: SendConfig.ID) async -> ConfigRunner? {
        let config: SendConfig
        do {
            guard let found = try await queue.sendConfigForDelivery(id) else { return nil }
            config = found
        } catch {
            // The database, not the config: try again next round, like any store operation.
            outage.failed("send_config", error, write: false)
            return nil
        }
        do {
            let provider = try await providers(config)
            return ConfigRunner(
                config: config, provider: provider, queue: queue, writer: writer, keeper: keeper, signal: signal,
                settings: settings, now: now, logger: logger)
        } catch {
            brokenUntil.withLock { $0[id] = ContinuousClock.now + .seconds(30) }
            logger.error(
                "cannot start delivery for send config; its recipients wait until it is fixed",
                metadata: ["send_config.id": "\(id)", "error": "\(String(reflecting: error))"])
            return nil
        }
    }
}
