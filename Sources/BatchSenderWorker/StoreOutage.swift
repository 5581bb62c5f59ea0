import BatchSenderStore
import Foundation
import Logging
import Synchronization

/// The story of a database outage as the engine sees it, told in two log lines — a warning when
/// the first operation fails, an info when one succeeds again — instead of one line per poll of
/// every runner. Every failure is still counted, per operation, in
/// `batchsender_store_errors_total{operation}`.
///
/// Shared by the parts of one engine (dispatcher, runners, completion writer, lease keeper), so
/// one outage is one story however many of them notice it.
final class StoreOutage: Sendable {
    private struct State {
        /// When the current outage began; `nil` while the store answers.
        var since: ContinuousClock.Instant?
        /// Failures since then: the back-off's exponent.
        var failures = 0
        /// Whether a write failed in this outage: then only a write ends it (a database that
        /// answers reads but refuses writes, such as a full disk, is still an outage).
        var writesFailed = false
    }

    private let logger: Logger
    /// What waits while the store is away ("delivery", "maintenance"), for the log lines.
    private let subject: String
    /// What happens meanwhile, for the warning.
    private let meanwhile: String
    private let state = Mutex(State())
    /// The first retry's delay; each further failure doubles it, up to `maximumDelay`.
    private let initialDelay: Duration
    private let maximumDelay: Duration

    init(
        subject: String, meanwhile: String = "waits and retries", logger: Logger, initialDelay: Duration = .milliseconds(250),
        maximumDelay: Duration = .seconds(5)
    ) {
        self.subject = subject
        self.meanwhile = meanwhile
        self.logger = logger
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The delivery engine's warning: what it does while the database is away.
    static let deliveryMeanwhile = "stops claiming and keeps the outcomes of calls already made until they are written"

    /// Whether an outage is under way (the last operation failed).
    var isOngoing: Bool { state.withLock { $0.since != nil } }

    /// Records that `operation` (a write when `write`) failed with `error`; returns how long to
    /// wait before trying again.
    @discardableResult
    func failed(_ operation: String, _ error: any Error, write: Bool = true) -> Duration {
        EngineMetrics.storeError(operation: operation)
        let (started, failures) = state.withLock { state -> (Bool, Int) in
            state.failures += 1
            state.writesFailed = state.writesFailed || write
            guard state.since == nil else { return (false, state.failures) }
            state.since = .now
            return (true, state.failures)
        }
        if started {
            logger.warning(
                "the database is unavailable; \(subject) \(meanwhile)",
                metadata: [
                    "operation": "\(operation)", "error": "\(String(reflecting: error))",
                    "unavailable": "\(error is StoreUnavailable)",
                ])
        } else {
            logger.debug("store operation failed again", metadata: ["operation": "\(operation)", "error": "\(error)"])
        }
        return delay(after: failures)
    }

    /// Records that an operation (a write when `write`) succeeded: ends the outage, if there was
    /// one — unless a write failed in it and this was a read.
    func succeeded(write: Bool = true) {
        let ended = state.withLock { state -> (ContinuousClock.Instant, Int)? in
            guard let since = state.since, write || !state.writesFailed else { return nil }
            defer { state = State() }
            return (since, state.failures)
        }
        guard let (since, failures) = ended else { return }
        let seconds = Double((ContinuousClock.now - since).components.seconds)
        logger.info(
            "the database is reachable again; \(subject) resumes",
            metadata: ["outage.seconds": "\(Int(seconds))", "failures": "\(failures)"])
    }

    /// `initialDelay · 2^(failures − 1)`, capped at `maximumDelay`.
    func delay(after failures: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, min(failures, 32)) where delay < maximumDelay { delay *= 2 }
        return min(delay, maximumDelay)
    }
}
