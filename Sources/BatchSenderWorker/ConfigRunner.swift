import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Foundation
import Logging
import Synchronization

/// Delivers the due recipients of one send config: waits for a rate-limit token and a free
/// concurrency slot *before* claiming (LESSONS: never hold a claim while waiting), claims exactly
/// that much, and calls the provider for each claim. Leases of claimed work are the engine's
/// `LeaseKeeper`'s: they outlive this runner until every outcome is written.
///
/// The token bucket and slots bound this process. When the queue is shared by several processes
/// (`SharedDeliveryLimits`), the store also weighs the config's limits for all of them in the
/// claim itself (see `ConfigRunner+SharedLimits.swift`).
final class ConfigRunner: Sendable {
    let config: SendConfig
    let provider: any DeliveryProvider
    let queue: any DeliveryQueue
    let writer: CompletionWriter
    let keeper: LeaseKeeper
    let signal: EngineSignal
    let settings: EngineSettings
    let resolver: OutcomeResolver
    let now: @Sendable () -> Date
    let logger: Logger
    let state: Mutex<RunnerState>
    let breakers: Mutex<[String: CircuitBreaker]> = Mutex([:])
    /// Finished calls whose outcomes wait for the writer (shared limits only).
    let finishedCalls = FinishedCalls()
    /// The config's limits in provider calls, as the store weighs them.
    let limits: DeliveryLimits
    /// The queue, when it keeps limits for every process sharing it.
    let shared: (any SharedDeliveryLimits)?
    /// The origin of the token bucket's clock.
    let origin = ContinuousClock.now

    struct RunnerState {
        var stopping = false
        /// Shutdown: chunks whose call has not started are released instead of sent.
        var releaseUnstarted = false
        var templates: [Batch.ID: PayloadTemplates?] = [:]
        /// Each batch's status, when it was read and the signal's version of it then.
        var statuses: [Batch.ID: (status: BatchStatus, at: Date, version: Int)] = [:]
        /// Status reads in flight, which every chunk that needs the status then joins.
        var statusReads: [Batch.ID: (version: Int, read: Task<BatchStatus?, Never>)] = [:]
        /// The provider asked us to slow down (a 429 with `Retry-After`): no claims before this.
        var pausedUntil: ContinuousClock.Instant?
        var bucket: TokenBucket
        /// Shared-limit tokens charged for chunks that made no call, to credit with the next claim.
        var unusedSharedCalls = 0
    }

    init(
        config: SendConfig, provider: any DeliveryProvider, queue: any DeliveryQueue, writer: CompletionWriter,
        keeper: LeaseKeeper, signal: EngineSignal, settings: EngineSettings, now: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.config = config
        self.provider = provider
        self.queue = queue
        self.writer = writer
        self.keeper = keeper
        self.signal = signal
        self.settings = settings
        self.resolver = OutcomeResolver(policy: settings.retryPolicy)
        self.now = now
        var logger = logger
        logger[metadataKey: "send_config.id"] = "\(config.id)"
        logger[metadataKey: "provider"] = "\(config.provider.rawValue)"
        self.logger = logger
        let limit = config.rateLimit ?? ProviderDefaults.rateLimit(config.provider)
        let burst = limit.burst ?? max(1, Self.wholeTokens(limit.perSecond))
        self.state = Mutex(RunnerState(bucket: TokenBucket(rate: limit.perSecond, burst: Double(burst), now: 0)))
        self.limits = DeliveryLimits(
            perSecond: limit.perSecond, burst: burst,
            maxConcurrency: config.maxConcurrency ?? ProviderDefaults.maxConcurrency(config.provider),
            callSize: provider.maxBatchSize)
        self.shared = queue as? any SharedDeliveryLimits
    }

    /// Stops claiming; in-flight calls finish and record their outcomes. With
    /// `releasingUnstarted` (shutdown), claimed chunks whose call has not started go back to the
    /// queue instead.
    func stop(releasingUnstarted: Bool = false) {
        state.withLock { state in
            state.stopping = true
            if releasingUnstarted { state.releaseUnstarted = true }
        }
        signal.workAvailable()
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Seconds since the runner was made: the token bucket's clock.
    func seconds() -> TimeInterval {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Runs until stopped or idle for `settings.idleShutdown`. Returns once every call it made
    /// has returned and submitted its outcomes.
    func run() async {
        let clock = ContinuousClock()
        let concurrency = limits.maxConcurrency
        let slots = Slots(concurrency)
        // Claim in groups: one claim transaction per freed slot would make the store's single
        // writer, not the provider, the limit. A quarter of the slots, or whatever is free after 2 ms.
        let claimGroup = max(1, concurrency / 4)
        let batchSize = max(1, provider.maxBatchSize)
        var idleSince = clock.now

        await withDiscardingTaskGroup { group in
            while !isStopping {
                var free = await slots.waitForFree()
                if free < claimGroup {
                    try? await Task.sleep(for: .milliseconds(2))
                    free = await slots.freeCount
                }
                // A store that cannot keep up with outcomes stops claims here, not memory. Polled
                // (only while full), so a stop or a shutdown's cancellation is never held up.
                while await writer.isFull, !isStopping, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                if isStopping || signal.hasPendingChange(config.id) { break }
                if let until = state.withLock({ $0.pausedUntil }), until > clock.now {
                    // Wake at least every second, so a stop or a config change is not held up.
                    try? await Task.sleep(until: min(until, clock.now + .seconds(1)), clock: .continuous)
                    continue
                }
                let tokens = state.withLock { $0.bucket.take(upTo: free, now: seconds()) }
                if tokens == 0 {
                    let wait = state.withLock { $0.bucket.waitForOne(now: seconds()) }
                    try? await Task.sleep(for: .seconds(min(wait, 1)))
                    continue
                }
                let generation = signal.generation
                let writes = writer.written.generation
                let claimed: [ClaimedDelivery]
                do {
                    // Bounded: a claim the store never answers is left behind (`StoreCallDeadline`).
                    let step = try await StoreCallDeadline.run("claim", within: settings.storeCallDeadline) {
                        try await self.claimWork(calls: tokens)
                    }
                    writer.outage.succeeded()
                    switch step {
                    case .claimed(let work):
                        claimed = work
                    case .wait(let duration):
                        // Refused by the shared limits: nothing is held while waiting. Wake at
                        // least every second, so a stop or a config change is not held up.
                        giveBack(tokens)
                        try? await Task.sleep(for: min(duration, .seconds(1)))
                        continue
                    case .full:
                        giveBack(tokens)
                        await writer.written.wait(after: writes, timeout: Self.concurrencyRetry)
                        continue
                    case .retire:
                        // Another process changed the config: retire as an in-process change does
                        // (the loop stops at the check above; the engine starts a fresh runner).
                        giveBack(tokens)
                        logger.info("the send config changed; restarting its delivery with the new version")
                        signal.sendConfigChanged(config.id)
                        continue
                    }
                } catch {
                    // Logged once per outage by the engine's `StoreOutage`; back off meanwhile.
                    let delay = writer.outage.failed("claim", error)
                    giveBack(tokens)
                    try? await Task.sleep(for: delay)
                    continue
                }
                let calls = (claimed.count + batchSize - 1) / batchSize
                giveBack(tokens - calls)
                if claimed.isEmpty {
                    if clock.now - idleSince >= settings.idleShutdown { break }
                    await signal.wait(after: generation, timeout: settings.pollInterval)
                    continue
                }
                idleSince = clock.now
                keeper.hold(claimed)
                // The config changed, or the runner was stopped, while the claim was in flight:
                // these recipients must not go out through the old provider. They go back with
                // their attempt; a fresh runner claims them again.
                if isStopping || signal.hasPendingChange(config.id) {
                    await release(claimed)
                    break
                }
                let claimedAt = ContinuousClock.now
                for start in stride(from: 0, to: claimed.count, by: batchSize) {
                    let chunk = Array(claimed[start..<min(claimed.count, start + batchSize)])
                    await slots.take(1)
                    group.addTask {
                        // A chunk that made no call (paused, suppressed, open circuit, dry run)
                        // did not use the provider's rate: its token goes back.
                        if await !self.process(chunk, claimedAt: claimedAt) { self.refundCall() }
                        await slots.release()
                    }
                }
            }
            state.withLock { $0.stopping = true }
        }
        // Every call has returned (the task group waited for them): let the provider close up.
        await provider.shutdown()
    }

    func giveBack(_ tokens: Int) {
        guard tokens > 0 else { return }
        state.withLock { $0.bucket.giveBack(tokens) }
    }

    /// `Int(x)` for a rate that may be fractional, huge or not finite.
    static func wholeTokens(_ rate: Double) -> Int {
        guard rate.isFinite, rate >= 1 else { return 1 }
        return rate >= Double(Int32.max) ? Int(Int32.max) : Int(rate)
    }
}
