import BatchSenderCore
import BatchSenderStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Wakes this process's delivery engine when another process publishes a wake-up
/// (`PostgresWakeupPublisher`): holds one connection of its own with `LISTEN` on the wake-up
/// channel and turns each notification back into the `DeliveryNotifier` call it stands for.
///
/// A `Service` for processes that deliver. The connection is outside the pool (postgres-nio
/// 1.33's `PostgresClient` has no `LISTEN`; `PostgresConnection.listen(on:consume:)` does) and
/// is checked with `SELECT 1` every `pingInterval`, so a connection that died without a word (a
/// network partition) is noticed too. When it drops — PostgreSQL restarted, the session was
/// terminated — the listener reconnects by itself with capped, jittered backoff; meanwhile the
/// engine polls. Notifications sent while nobody listened are lost for good (PostgreSQL delivers
/// only to sessions listening at commit: https://www.postgresql.org/docs/current/sql-listen.html),
/// so after every (re)connection it signals `workAvailable` once and the engine looks for itself;
/// after a reconnection it also announces the send configs changed meanwhile.
public final class PostgresWakeupListener: Service, Sendable {
    /// Waits between reconnection attempts: attempt `n` waits between half and all of
    /// `min(cap, base · 2^(n-1))`, so processes that lost the server together do not return in step.
    public struct Backoff: Sendable {
        public var base: Duration
        public var cap: Duration

        public init(base: Duration = .milliseconds(200), cap: Duration = .seconds(5)) {
            self.base = base
            self.cap = cap
        }

        /// The wait after `failures` failed attempts in a row (≥ 1); `unit` is random in [0, 1].
        public func delay(afterFailures failures: Int, unit: Double) -> Duration {
            let ceiling = min(cap, base * Double(1 << min(max(failures - 1, 0), 20)))
            return ceiling * (0.5 + 0.5 * min(max(unit, 0), 1))
        }
    }

    public let channel: String
    public let origin: PostgresWakeupOrigin
    private let configuration: PostgresConfiguration
    private let notifier: any DeliveryNotifier
    private let backoff: Backoff
    private let pingInterval: Duration
    private let pingTimeout: Duration
    private let logger: Logger
    private let connections = Atomic(0)

    /// - Parameters:
    ///   - channel: default: the configuration's `wakeupChannel`.
    ///   - origin: this process's tag: its own wake-ups are skipped (it gave them to `notifier`
    ///     directly).
    ///   - notifier: this process's engine (its `EngineSignal`).
    public init(
        configuration: PostgresConfiguration, channel: String? = nil, origin: PostgresWakeupOrigin,
        notifier: any DeliveryNotifier, backoff: Backoff = Backoff(), pingInterval: Duration = .seconds(15),
        pingTimeout: Duration = .seconds(10), logger: Logger
    ) {
        self.configuration = configuration
        self.channel = channel ?? configuration.wakeupChannel
        self.origin = origin
        self.notifier = notifier
        self.backoff = backoff
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        var logger = logger
        logger[metadataKey: "postgres.channel"] = "\(self.channel)"
        self.logger = logger
    }

    /// Listens until cancelled or the service group shuts down.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.listenUntilCancelled() }
    }

    private func listenUntilCancelled() async {
        var failures = 0
        // When the last listening connection was lost, until listening again.
        var lostAt: Date?
        while !Task.isCancelled {
            var listened = false
            do {
                try await listenOnce(missedSince: lostAt, onListening: {
                    listened = true
                    if failures > 0 { self.logger.info("listening for wake-ups again") }
                    failures = 0
                    lostAt = nil
                })
                return
            } catch {
                guard !Task.isCancelled else { return }
                if listened { lostAt = Date() }
                failures += 1
                // Loud once per outage; the pool and `/ready` report the database itself.
                logger.log(
                    level: listened || failures == 1 ? .warning : .debug,
                    "wake-up connection lost or refused; reconnecting (workers poll meanwhile)",
                    metadata: ["attempt": "\(failures)", "error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: backoff.delay(afterFailures: failures, unit: Double.random(in: 0...1)))
        }
    }

    /// Connects, listens and hands notifications over until the connection fails (throws) or the
    /// task is cancelled (returns). `onListening` runs once `LISTEN` is in effect; then wake-ups
    /// missed since `missedSince` are made up for.
    private func listenOnce(missedSince: Date?, onListening: () -> Void) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try configuration.listenerConnectionConfiguration(origin: origin),
            id: connections.wrappingAdd(1, ordering: .relaxed).newValue, logger: logger)
        do {
            try await connection.listen(on: channel) { notifications in
                onListening()
                // Whatever was sent while nobody listened is lost: look once.
                notifier.workAvailable()
                if let missedSince { await announceConfigChanges(since: missedSince, on: connection) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await notification in notifications { self.handle(notification.payload) }
                        // The sequence ends without an error only when listening was cancelled.
                        try Task.checkCancellation()
                        throw ListenerError.stoppedListening
                    }
                    group.addTask { try await self.keepChecking(connection) }
                    // Whichever ends first ends both: a failed check or a dropped connection.
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        } catch {
            try? await connection.close()
            if Task.isCancelled { return }
            throw error
        }
        try? await connection.close()
    }

    /// Turns a payload into its `DeliveryNotifier` call; ignores this process's own wake-ups and
    /// payloads it does not understand.
    func handle(_ payload: String) {
        guard let (wakeup, from) = PostgresWakeup.decode(payload) else {
            logger.debug("ignored a notification that is not a wake-up", metadata: ["payload": "\(payload.prefix(100))"])
            return
        }
        guard from != origin else { return }
        wakeup.deliver(to: notifier)
    }

    /// Polling finds missed work and batch changes, but a busy runner would keep a changed send
    /// config's old credentials until it idles: announce the configs changed since a minute before
    /// the connection was lost (a minute covers clocks of processes that disagree a little).
    /// `LISTEN` is already in effect, so a change after this query is notified.
    private func announceConfigChanges(since lostAt: Date, on connection: PostgresConnection) async {
        do {
            let rows = try await connection.rows(
                "SELECT id FROM send_configs WHERE updated_at >= \(lostAt.addingTimeInterval(-60))", logger: logger)
            for row in rows {
                notifier.sendConfigChanged(SendConfig.ID(rawValue: try row["id"].decode(String.self)))
            }
        } catch {
            logger.warning(
                "cannot look for send configs changed while the wake-up connection was down",
                metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Runs `SELECT 1` every `pingInterval`; throws when one fails or takes longer than `pingTimeout`.
    private func keepChecking(_ connection: PostgresConnection) async throws {
        let logger = logger
        let timeout = pingTimeout
        while true {
            try await Task.sleep(for: pingInterval)
            let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await connection.query("SELECT 1", logger: logger)
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return false
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
            guard answered else { throw ListenerError.unanswered(timeout) }
        }
    }

    enum ListenerError: Error, CustomStringConvertible {
        case stoppedListening
        case unanswered(Duration)

        var description: String {
            switch self {
            case .stoppedListening: "the server stopped sending notifications"
            case .unanswered(let timeout): "the wake-up connection did not answer SELECT 1 within \(timeout)"
            }
        }
    }
}
