import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Foundation
import Logging
import Synchronization

/// Delivers the due recipients of one send config: waits for a rate-limit token and a free
/// concurrency slot *before* claiming (LESSONS: never hold a claim while waiting), claims exactly
/// that much, and calls the provider for each claim.
final class ConfigRunner: Sendable {
    let config: SendConfig
    let provider: any DeliveryProvider
    let queue: any DeliveryQueue
    let writer: CompletionWriter
    let signal: EngineSignal
    let settings: EngineSettings
    let resolver: OutcomeResolver
    let now: @Sendable () -> Date
    let logger: Logger
    let state = Mutex(RunnerState())
    let breakers: Mutex<[String: CircuitBreaker]> = Mutex([:])

    struct RunnerState {
        var stopping = false
        var templates: [Batch.ID: PayloadTemplates?] = [:]
        var statuses: [Batch.ID: (BatchStatus, Date)] = [:]
        var inFlight: [Recipient.ID: Int64] = [:]
        /// The provider asked us to slow down (a 429 with `Retry-After`): no claims before this.
        var pausedUntil: ContinuousClock.Instant?
    }

    init(
        config: SendConfig, provider: any DeliveryProvider, queue: any DeliveryQueue, writer: CompletionWriter,
        signal: EngineSignal, settings: EngineSettings, now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.config = config
        self.provider = provider
        self.queue = queue
        self.writer = writer
        self.signal = signal
        self.settings = settings
        self.resolver = OutcomeResolver(policy: settings.retryPolicy)
        self.now = now
        var logger = logger
        logger[metadataKey: "send_config.id"] = "\(config.id)"
        logger[metadataKey: "provider"] = "\(config.provider.rawValue)"
        self.logger = logger
    }

    /// Stops claiming; in-flight calls finish and record their outcomes.
    func stop() {
        state.withLock { $0.stopping = true }
        signal.workAvailable()
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Runs until stopped or idle for `settings.idleShutdown`.
    func run() async {
        let limit = config.rateLimit ?? ProviderDefaults.rateLimit(config.provider)
        let clock = ContinuousClock()
        let origin = clock.now
        func seconds() -> TimeInterval {
            let elapsed = clock.now - origin
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        var bucket = TokenBucket(rate: limit.perSecond, burst: Double(limit.burst ?? max(1, Int(limit.perSecond))), now: seconds())
        let concurrency = config.maxConcurrency ?? ProviderDefaults.maxConcurrency(config.provider)
        let slots = Slots(concurrency)
        // Claim in groups: one claim transaction per freed slot would make the store's single
        // writer, not the provider, the limit. A quarter of the slots, or whatever is free after 2 ms.
        let claimGroup = max(1, concurrency / 4)
        let batchSize = max(1, provider.maxBatchSize)
        var idleSince = clock.now

        await withDiscardingTaskGroup { group in
            group.addTask { await self.renewLeases() }
            while !isStopping {
                var free = await slots.waitForFree()
                if free < claimGroup {
                    try? await Task.sleep(for: .milliseconds(2))
                    free = await slots.freeCount
                }
                if isStopping || signal.hasPendingChange(config.id) { break }
                if let until = state.withLock({ $0.pausedUntil }), until > clock.now {
                    // Wake at least every second, so a stop or a config change is not held up.
                    try? await Task.sleep(until: min(until, clock.now + .seconds(1)), clock: .continuous)
                    continue
                }
                let tokens = bucket.take(upTo: free, now: seconds())
                if tokens == 0 {
                    try? await Task.sleep(for: .seconds(bucket.waitForOne(now: seconds())))
                    continue
                }
                let generation = signal.generation
                let claimed: [ClaimedDelivery]
                do {
                    claimed = try await queue.claim(
                        sendConfig: config.id, limit: tokens * batchSize, now: now(), leaseDuration: settings.leaseDuration)
                } catch {
                    logger.error("claim failed", metadata: ["error": "\(String(reflecting: error))"])
                    bucket.giveBack(tokens)
                    try? await Task.sleep(for: settings.pollInterval)
                    continue
                }
                let calls = (claimed.count + batchSize - 1) / batchSize
                bucket.giveBack(tokens - calls)
                if claimed.isEmpty {
                    if clock.now - idleSince >= settings.idleShutdown { break }
                    await signal.wait(after: generation, timeout: settings.pollInterval)
                    continue
                }
                idleSince = clock.now
                let claimedAt = ContinuousClock.now
                state.withLock { state in for item in claimed { state.inFlight[item.recipientID] = item.leaseToken } }
                for start in stride(from: 0, to: claimed.count, by: batchSize) {
                    let chunk = Array(claimed[start..<min(claimed.count, start + batchSize)])
                    await slots.take(1)
                    group.addTask {
                        await self.process(chunk, claimedAt: claimedAt)
                        await slots.release()
                    }
                }
            }
            state.withLock { $0.stopping = true }
        }
        // Every call has returned (the task group waited for them): let the provider close up.
        await provider.shutdown()
    }

    /// Extends the leases of in-flight recipients until the runner stops.
    private func renewLeases() async {
        let clock = ContinuousClock()
        var last = clock.now
        while !isStopping {
            // Woken early by `stop()`; other wake-ups are skipped until the interval has passed.
            await signal.wait(after: signal.generation, timeout: settings.leaseRenewalInterval)
            guard !isStopping, clock.now - last >= settings.leaseRenewalInterval else { continue }
            last = clock.now
            let held = state.withLock { Array($0.inFlight) }.map { ($0.key, leaseToken: $0.value) }
            guard !held.isEmpty else { continue }
            do {
                try await queue.extendLeases(held, until: now().addingTimeInterval(settings.leaseDuration))
            } catch {
                logger.warning("could not extend leases", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }
}
