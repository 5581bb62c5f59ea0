import BatchSenderCore
import BatchSenderStore
import Foundation
import Logging

/// Writes outcomes in batches: one transaction for many recipients (DESIGN §2), flushed when
/// `completionBatchSize` accumulate or `completionFlushDelay` after the first arrived.
///
/// Failures are contained rather than retried blindly:
/// - while the database is unavailable (`StoreUnavailable`: down, restarting, cut off), every
///   outcome is kept in memory and the whole backlog is retried with capped backoff until it is
///   back — an outage never turns an outcome into a failure, whatever it lasts. If it outlasts
///   the leases, the outcomes still apply when written (`CompletionReport.late`), unless the
///   rescuer's recipients were claimed again meanwhile (`lost`, counted and logged);
/// - a failing transaction is bisected, so one outcome the store refuses (a poison row) does not
///   hold back the others; that one is then recorded as `failed` with the store's reason, once
///   the store has shown it accepts other writes (or it alone was refused five times running
///   and once more on its own);
/// - runners stop claiming while `completionBacklogLimit` outcomes wait, or while writes are
///   failing (`isFull`), so the backlog stays bounded and no new work is claimed that could not
///   be recorded;
/// - `drain(until:)` gives up at its deadline. Outcomes never written keep nothing in memory:
///   their leases expire and the rescuer re-queues the recipients (at least once, CONTRACT §5).
actor CompletionWriter {
    private let queue: any DeliveryQueue
    private let settings: EngineSettings
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let keeper: LeaseKeeper?
    /// The engine's outage log and back-off, shared with its runners (they read it here).
    nonisolated let outage: StoreOutage
    /// Beats after every write that went through: a claim refused because the config's
    /// `maxConcurrency` was full waits for it (the write is what moves finished calls out of
    /// `sending`, where the shared limit counts them), not for a fixed delay.
    nonisolated let written = Pulse()
    /// Whether the last write failed: claims wait until one succeeds.
    private var failing = false
    private var buffer: [DeliveryCompletion] = []
    /// Who is told when each buffered outcome is done with (parallel to `buffer`'s submits).
    private var finishedCalls: [(FinishedCalls, DeliveryCompletion)] = []
    private var writing = 0
    private var flushScheduled = false
    private var flushing: Task<Void, Never>?
    /// Set by `drain(until:)`: past it, writes stop retrying.
    private var giveUpAt: ContinuousClock.Instant?
    /// Called with the batches that completed, so observers (tests, metrics) can react.
    private let onCompleted: @Sendable ([Batch.ID]) -> Void

    init(
        queue: any DeliveryQueue, settings: EngineSettings, now: @escaping @Sendable () -> Date, logger: Logger,
        keeper: LeaseKeeper? = nil, outage: StoreOutage? = nil,
        onCompleted: @escaping @Sendable ([Batch.ID]) -> Void = { _ in }
    ) {
        self.outage = outage ?? StoreOutage(subject: "delivery", meanwhile: StoreOutage.deliveryMeanwhile, logger: logger)
        self.queue = queue
        self.settings = settings
        self.now = now
        self.logger = logger
        self.keeper = keeper
        self.onCompleted = onCompleted
    }

    /// Outcomes submitted and not yet written.
    var backlog: Int { buffer.count + writing }

    /// Buffers `completion`; `finished`, when given, is told once it is written or given up.
    func submit(_ completion: DeliveryCompletion, finished: FinishedCalls? = nil) {
        buffer.append(completion)
        if let finished { finishedCalls.append((finished, completion)) }
        if buffer.count >= settings.completionBatchSize {
            startFlush()
        } else if !flushScheduled {
            flushScheduled = true
            let delay = settings.completionFlushDelay
            Task {
                try? await Task.sleep(for: delay)
                self.startFlush()
            }
        }
    }

    /// Whether `completionBacklogLimit` outcomes wait, or outcomes wait while writes fail:
    /// runners do not claim then, so a store that cannot keep up (or is down) stops new claims,
    /// not memory — and after an outage the waiting outcomes are written before anything new is
    /// claimed (a claim first could take back a recipient whose outcome is still waiting here).
    var isFull: Bool {
        let waiting = backlog
        return waiting >= settings.completionBacklogLimit || (failing && waiting > 0)
    }

    /// Writes everything buffered and waits for it, giving up at `deadline` (shutdown).
    /// Returns how many outcomes were abandoned.
    @discardableResult
    func drain(until deadline: ContinuousClock.Instant) async -> Int {
        giveUpAt = deadline
        while !buffer.isEmpty || flushing != nil {
            if let flushing {
                await flushing.value
            } else {
                startFlush()
            }
        }
        return abandoned
    }

    private var abandoned = 0

    private func startFlush() {
        flushScheduled = false
        guard flushing == nil, !buffer.isEmpty else { return }
        let batch = buffer
        buffer.removeAll(keepingCapacity: true)
        let finished = finishedCalls
        finishedCalls.removeAll(keepingCapacity: true)
        writing = batch.count
        flushing = Task {
            await self.write(batch)
            // Written (or abandoned): every outcome of the flush is out of the writer's hands.
            for (calls, completion) in finished { calls.remove([completion]) }
        }
    }

    private func write(_ batch: [DeliveryCompletion]) async {
        var groups = [batch]
        var delay: Duration = .milliseconds(50)
        // Whether the store accepted any write since the last pause: only then is a single
        // refused outcome the row's fault rather than the store's.
        var storeAccepts = false
        var pauses = 0
        while let group = groups.first {
            groups.removeFirst()
            guard var error = await attempt(group) else {
                storeAccepts = true
                written.beat()
                continue
            }
            if !(error is StoreUnavailable) {
                if group.count > 1 {
                    // Bisect: a poison row fails only its half; the other half goes through.
                    let middle = group.count / 2
                    groups.insert(contentsOf: [Array(group[..<middle]), Array(group[middle...])], at: 0)
                    continue
                }
                switch await resolveRefused(group[0], error: error, storeAccepts: storeAccepts, pauses: pauses) {
                case .written:
                    storeAccepts = true
                    continue
                case .pause(let last):
                    error = last
                }
            }
            // The store is away or refuses everything: pause, then retry the rest whole, this
            // group last. Nothing is dropped before a shutdown's deadline.
            if let giveUpAt, ContinuousClock.now + delay >= giveUpAt {
                abandon(groups.flatMap { $0 } + group, reason: "shutdown deadline")
                break
            }
            failing = true
            outage.failed("complete", error)
            try? await Task.sleep(for: delay)
            // Short enough that, once the database is back, outcomes are written (and claims
            // resume) well before the rescuer could take a lease back.
            delay = min(delay * 2, .seconds(2))
            pauses += 1
            storeAccepts = false
            groups = [groups.flatMap { $0 } + group]
        }
        writing = 0
        flushing = nil
        if !buffer.isEmpty { startFlush() }
    }

    private enum Refusal {
        case written
        case pause(any Error)
    }

    /// One outcome the store refused on its own (not an outage). It is the row's fault when the
    /// store accepted other writes since the last pause, or when it was refused five pauses
    /// running and once more now: then it is recorded as `failed` with the store's reason.
    private func resolveRefused(
        _ single: DeliveryCompletion, error: any Error, storeAccepts: Bool, pauses: Int
    ) async -> Refusal {
        guard storeAccepts || pauses >= 5 else { return .pause(error) }
        var reason = error
        if !storeAccepts {
            // Nothing else has been written lately: try it as it is first, so a store that was
            // refusing everything and has just recovered does not turn this outcome into a failure.
            guard let again = await attempt([single]) else { return .written }
            if again is StoreUnavailable { return .pause(again) }
            reason = again
        }
        let failure = String(reflecting: reason)
        guard let refused = await attempt([single.unwritable(failure)]) else {
            EngineMetrics.unwritableOutcome()
            logger.error(
                "the store refused one outcome; recorded the recipient as failed",
                metadata: ["recipient.id": "\(single.recipientID)", "error": "\(failure)"])
            return .written
        }
        if storeAccepts && !(refused is StoreUnavailable) {
            abandon([single], reason: "the store refuses this outcome even as a failure")
            return .written
        }
        return .pause(refused)
    }

    /// One transaction; `nil` when written, else the error.
    private func attempt(_ group: [DeliveryCompletion]) async -> (any Error)? {
        do {
            let (queue, at) = (queue, now())
            let report = try await StoreCallDeadline.run("complete", within: settings.storeCallDeadline) {
                try await queue.complete(group, now: at)
            }
            keeper?.release(group)
            writing = max(0, writing - group.count)
            if failing {
                failing = false
                outage.succeeded()
            }
            if !report.lost.isEmpty {
                EngineMetrics.lostOutcomes(report.lost.count)
                logger.warning(
                    "outcomes arrived after their recipients were claimed again; the new claims will report",
                    metadata: ["recipients.lost": "\(report.lost.count)", "recipient.id": "\(report.lost[0])"])
            }
            if report.late > 0 {
                EngineMetrics.lateOutcomes(report.late)
                logger.warning(
                    "outcomes arrived after their lease had expired; applied, as nobody had claimed them again",
                    metadata: ["recipients": "\(report.late)"])
            }
            if !report.completedBatches.isEmpty { onCompleted(report.completedBatches) }
            return nil
        } catch {
            EngineMetrics.completionWriteFailure()
            return error
        }
    }

    private func abandon(_ completions: [DeliveryCompletion], reason: String) {
        guard !completions.isEmpty else { return }
        keeper?.release(completions)
        writing = max(0, writing - completions.count)
        abandoned += completions.count
        EngineMetrics.abandonedOutcomes(completions.count)
        logger.critical(
            "delivery outcomes abandoned; their leases will expire and the rescuer re-queues them",
            metadata: ["reason": "\(reason)", "outcomes": "\(completions.count)", "recipient.id": "\(completions[0].recipientID)"])
    }
}

extension DeliveryCompletion {
    /// The same recipient recorded as failed because its outcome could not be written.
    func unwritable(_ error: String) -> DeliveryCompletion {
        var failed = self
        failed.resolution = .failed(error: OutcomeResolver.clip("the outcome could not be recorded: \(error)"))
        failed.segments = nil
        return failed
    }
}
