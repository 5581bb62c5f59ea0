import BatchSenderCore
import BatchSenderStore
import Foundation
import Logging

/// Writes outcomes in batches: one transaction for many recipients (DESIGN §2), flushed when
/// `completionBatchSize` accumulate or `completionFlushDelay` after the first arrived.
///
/// A write that fails is retried; outcomes are never dropped while the process lives. If it
/// dies first, the leases expire and the rescuer re-queues the recipients (at least once).
actor CompletionWriter {
    private let queue: any DeliveryQueue
    private let settings: EngineSettings
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var buffer: [DeliveryCompletion] = []
    private var flushScheduled = false
    private var flushing: Task<Void, Never>?
    /// Called with the batches that completed, so observers (tests, metrics) can react.
    private let onCompleted: @Sendable ([Batch.ID]) -> Void

    init(
        queue: any DeliveryQueue, settings: EngineSettings, now: @escaping @Sendable () -> Date, logger: Logger,
        onCompleted: @escaping @Sendable ([Batch.ID]) -> Void = { _ in }
    ) {
        self.queue = queue
        self.settings = settings
        self.now = now
        self.logger = logger
        self.onCompleted = onCompleted
    }

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

    /// Writes everything buffered and waits for it (used at shutdown).
    func drain() async {
        while !buffer.isEmpty || flushing != nil {
            if let flushing {
                await flushing.value
            } else {
                startFlush()
            }
        }
    }

    private func startFlush() {
        flushScheduled = false
        guard flushing == nil, !buffer.isEmpty else { return }
        let batch = buffer
        buffer.removeAll(keepingCapacity: true)
        flushing = Task { await self.write(batch) }
    }

    private func write(_ batch: [DeliveryCompletion]) async {
        var delay: Duration = .milliseconds(50)
        while true {
            do {
                let report = try await queue.complete(batch, now: now())
                if !report.lost.isEmpty {
                    EngineMetrics.lostOutcomes(report.lost.count)
                    logger.warning(
                        "outcomes arrived after their lease was taken back; the recipients were re-queued or cancelled",
                        metadata: ["recipients.lost": "\(report.lost.count)", "recipient.id": "\(report.lost[0])"])
                }
                if !report.completedBatches.isEmpty { onCompleted(report.completedBatches) }
                break
            } catch {
                EngineMetrics.completionWriteFailure()
                logger.error(
                    "could not record delivery outcomes; retrying",
                    metadata: ["error": "\(String(reflecting: error))", "outcomes": "\(batch.count)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        flushing = nil
        if !buffer.isEmpty { startFlush() }
    }
}
