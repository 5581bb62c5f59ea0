import BatchSenderCore
import BatchSenderStore
import Foundation
import Logging

/// Writes outcomes in batches: one transaction for many recipients (DESIGN §2), flushed when
/// `completionBatchSize` accumulate or `completionFlushDelay` after the first arrived.
///
/// Failures are contained rather than retried blindly:
/// - a failing transaction is bisected, so one outcome the store refuses (a poison row) does not
///   hold back the others; that one is then recorded as `failed` with the store's reason, once
///   the store has shown it accepts other writes;
/// - while the store refuses everything (disk full, database gone), the rest is retried whole
///   with capped backoff, and runners stop claiming once `completionBacklogLimit` outcomes wait
///   (`isFull`), so the backlog stays bounded;
/// - `drain(until:)` gives up at its deadline. Outcomes never written keep nothing in memory:
///   their leases expire and the rescuer re-queues the recipients (at least once, CONTRACT §5).
actor CompletionWriter {
    private let queue: any DeliveryQueue
    private let settings: EngineSettings
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let keeper: LeaseKeeper?
    private var buffer: [DeliveryCompletion] = []
    private var writing = 0
    private var flushScheduled = false
    private var flushing: Task<Void, Never>?
    /// Set by `drain(until:)`: past it, writes stop retrying.
    private var giveUpAt: ContinuousClock.Instant?
    /// Called with the batches that completed, so observers (tests, metrics) can react.
    private let onCompleted: @Sendable ([Batch.ID]) -> Void

    init(
        queue: any DeliveryQueue, settings: EngineSettings, now: @escaping @Sendable () -> Date, logger: Logger,
        keeper: LeaseKeeper? = nil, onCompleted: @escaping @Sendable ([Batch.ID]) -> Void = { _ in }
    ) {
        self.queue = queue
        self.settings = settings
        self.now = now
        self.logger = logger
        self.keeper = keeper
        self.onCompleted = onCompleted
    }

    /// Outcomes submitted and not yet written.
    var backlog: Int { buffer.count + writing }

    func submit(_ completion: DeliveryCompletion) {
        buffer.append(completion)
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

    /// Whether `completionBacklogLimit` outcomes wait: runners do not claim then, so a store
    /// that cannot keep up (or is down) stops new claims, not memory.
    var isFull: Bool { backlog >= settings.completionBacklogLimit }

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
        writing = batch.count
        flushing = Task { await self.write(batch) }
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
            let failure: String
            switch await attempt(group) {
            case nil:
                storeAccepts = true
                continue
            case let error?:
                failure = error
            }
            if group.count > 1 {
                // Bisect: a poison row fails only its half; the other half goes through.
                let middle = group.count / 2
                groups.insert(contentsOf: [Array(group[..<middle]), Array(group[middle...])], at: 0)
                continue
            }
            let single = group[0]
            if storeAccepts || pauses >= 5 {
                if await attempt([single.unwritable(failure)]) == nil {
                    EngineMetrics.unwritableOutcome()
                    logger.error(
                        "the store refused one outcome; recorded the recipient as failed",
                        metadata: ["recipient.id": "\(single.recipientID)", "error": "\(failure)"])
                    storeAccepts = true
                    continue
                }
                if storeAccepts {
                    abandon([single], reason: "the store refuses this outcome even as a failure")
                    continue
                }
            }
            // The store refuses everything: pause, then retry the rest whole, this one last.
            if let giveUpAt, ContinuousClock.now + delay >= giveUpAt {
                abandon([single] + groups.flatMap { $0 }, reason: "shutdown deadline")
                break
            }
            logger.error(
                "could not record delivery outcomes; retrying",
                metadata: ["error": "\(failure)", "outcomes": "\(1 + groups.reduce(0) { $0 + $1.count })"])
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
            pauses += 1
            storeAccepts = false
            groups = [groups.flatMap { $0 } + [single]]
        }
        writing = 0
        flushing = nil
        if !buffer.isEmpty { startFlush() }
    }

    /// One transaction; `nil` when written, else the error's description.
    private func attempt(_ group: [DeliveryCompletion]) async -> String? {
        do {
            let report = try await queue.complete(group, now: now())
            keeper?.release(group)
            writing = max(0, writing - group.count)
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
            return String(reflecting: error)
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
