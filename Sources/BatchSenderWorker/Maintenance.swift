import BatchSenderCore
import BatchSenderStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Leader-only upkeep behind a lease kept in the store (River's shape): the lease rescuer, the
/// scheduler, the stuck-batch safety net and hourly retention (unmatched events, idempotency keys).
/// With several processes, one does this at a time.
///
/// Leadership can move while the database is away: the lease lasts `3 × interval` (at least
/// 5 s), so an outage longer than that lets another process take it when the database returns,
/// and a round that was under way on the old leader fails or finishes meanwhile. Two leaders
/// acting at once must therefore be harmless, and are: every step is one transaction that
/// re-checks its condition under row locks (a lease rescued twice is rescued once, a scheduled
/// batch started twice is started once, SKIP LOCKED) and retention only deletes what is expired.
///
/// After an outage the rescue waits `rescueGraceAfterOutage` more: every process's lease keeper
/// and completion writer retry within a second or two of the database's return, and the leases
/// that expired while it was away belong to work still in progress — rescuing them at once would
/// send it twice.
public struct Maintenance: Service {
    private let queue: any DeliveryQueue
    private let notifier: any DeliveryNotifier
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let holder: String
    private let interval: Duration
    private let safetyNetEvery: Int
    private let events: (any EventStore)?
    /// How long an event nobody's message matches is kept before it is pruned.
    private let pendingEventRetention: TimeInterval
    private let idempotency: (any IdempotencyStore)?
    private let outage: StoreOutage
    private let rescueGate: RescueGate

    /// - Parameters:
    ///   - interval: how often the leader rescues leases and starts scheduled batches.
    ///   - safetyNetEvery: run the stuck-batch check every this many rounds.
    ///   - idempotency: where `Idempotency-Key` records live; those past their 24 hours are purged hourly.
    ///   - rescueGraceAfterOutage: how long the rescue waits once the database is back.
    public init(
        queue: any DeliveryQueue, notifier: any DeliveryNotifier, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger, holder: String = UUID().uuidString, interval: Duration = .seconds(1), safetyNetEvery: Int = 30,
        events: (any EventStore)? = nil, pendingEventRetention: TimeInterval = 7 * 86_400,
        idempotency: (any IdempotencyStore)? = nil, rescueGraceAfterOutage: Duration = .seconds(5)
    ) {
        self.rescueGate = RescueGate(grace: rescueGraceAfterOutage)
        self.outage = StoreOutage(subject: "maintenance", logger: logger)
        self.events = events
        self.idempotency = idempotency
        self.pendingEventRetention = pendingEventRetention
        self.queue = queue
        self.notifier = notifier
        self.now = now
        self.logger = logger
        self.holder = holder
        self.interval = interval
        self.safetyNetEvery = max(1, safetyNetEvery)
    }

    public func run() async throws {
        var round = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await tick(round: round)
                outage.succeeded()
            } catch {
                // One warning per outage (and a metric per failure), not a line every second.
                outage.failed("maintenance", error)
                rescueGate.hold()
            }
            round += 1
            try? await Task.sleep(for: interval)
        }
    }

    /// One round; exposed for tests.
    public func tick(round: Int) async throws {
        let leaseSeconds = max(5, 3 * Double(interval.components.seconds))
        guard try await queue.acquireLeadership("maintenance", holder: holder, now: now(), ttl: leaseSeconds) else { return }
        let rescued = rescueGate.opens() ? try await queue.rescueExpiredLeases(now: now()) : 0
        if rescued > 0 {
            EngineMetrics.rescued(rescued)
            logger.warning("rescued recipients whose lease expired", metadata: ["recipients": "\(rescued)"])
        }
        let started = try await queue.startScheduledBatches(now: now())
        for id in started { logger.info("scheduled batch started", metadata: ["batch.id": "\(id)"]) }
        if rescued > 0 || !started.isEmpty { notifier.workAvailable() }
        if round % safetyNetEvery == 0 {
            let repaired = try await queue.repairStuckBatches(now: now())
            if !repaired.isEmpty {
                EngineMetrics.stuckBatchesRepaired(repaired.count)
                logger.critical(
                    "stuck batches repaired: their counts or completion had drifted from their recipients",
                    metadata: ["batch.ids": "\(repaired.map(\.rawValue).joined(separator: ","))"])
            }
        }
        // Hourly with the default interval.
        if round % (safetyNetEvery * 120) == 0 { try await deleteExpired() }
    }

    /// Retention: events for messages we never sent, and idempotency keys past their 24 hours
    /// (CONTRACT §2).
    private func deleteExpired() async throws {
        if let events {
            let pruned = try await events.prunePendingEvents(receivedBefore: now().addingTimeInterval(-pendingEventRetention))
            if pruned > 0 { logger.info("pruned unmatched provider events", metadata: ["events": "\(pruned)"]) }
        }
        if let idempotency {
            let cutoff = now().addingTimeInterval(-IdempotencyWindow.duration)
            let purged = try await idempotency.purgeIdempotencyKeys(createdBefore: cutoff)
            if purged > 0 { logger.debug("purged expired idempotency keys", metadata: ["keys": "\(purged)"]) }
        }
    }
}

/// Holds the rescue back after an outage: from the failed round until `grace` after the first
/// round that reaches the store again.
final class RescueGate: Sendable {
    private enum Hold {
        case none
        /// A round failed: the grace starts at the next round that reaches the store.
        case outage
        case until(ContinuousClock.Instant)
    }

    private let grace: Duration
    private let state = Mutex(Hold.none)

    init(grace: Duration) {
        self.grace = grace
    }

    /// A round failed: the database is away.
    func hold() {
        state.withLock { $0 = .outage }
    }

    /// Whether the rescue may run in this round, which has reached the store.
    func opens() -> Bool {
        let grace = grace
        return state.withLock { hold in
            switch hold {
            case .none:
                return true
            case .outage:
                hold = .until(ContinuousClock.now + grace)
                return false
            case .until(let instant):
                guard ContinuousClock.now >= instant else { return false }
                hold = .none
                return true
            }
        }
    }
}
