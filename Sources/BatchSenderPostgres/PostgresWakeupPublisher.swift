import BatchSenderCore
import BatchSenderStore
import Logging
import PostgresNIO
import Synchronization

/// Tells the other processes on the database about new work, batch changes and send-config
/// changes: each `DeliveryNotifier` call becomes a `NOTIFY` on the wake-up channel, which every
/// process's `PostgresWakeupListener` turns back into the same call on its engine.
///
/// Calls return at once; the notifications go out in the background, coalesced: while one round
/// trip is in flight, further calls are collected (identical ones once) and sent together in the
/// next, with one statement of `pg_notify` calls. A burst of 1,000 API calls therefore makes a
/// handful of round trips, not 1,000.
///
/// Callers notify after their change committed; PostgreSQL delivers a notification when the
/// transaction that sent it commits, and only to sessions listening at that moment
/// (https://www.postgresql.org/docs/current/sql-notify.html) — so a listener never wakes before
/// the change is visible, and a process that was not listening polls instead.
public final class PostgresWakeupPublisher: DeliveryNotifier, Sendable {
    /// Sends payloads on a channel, in one round trip.
    public typealias Send = @Sendable (_ channel: String, _ payloads: [String]) async throws -> Void

    /// The most payloads in one statement.
    static let maxPerRoundTrip = 500

    private struct State {
        /// Payloads not sent yet, oldest first, each once.
        var pending: [String] = []
        var queued: Set<String> = []
        /// A background task is sending; it takes whatever is pending before it stops.
        var sending = false
        /// The last round trip failed: the next failure is logged quieter, the next success louder.
        var failing = false
    }

    public let channel: String
    public let origin: PostgresWakeupOrigin
    private let send: Send
    private let logger: Logger
    private let state = Mutex(State())

    /// Publishes through `store`'s connection pool on `channel` (default: the configuration's
    /// `wakeupChannel`).
    public convenience init(store: PostgresStore, channel: String? = nil, origin: PostgresWakeupOrigin, logger: Logger) {
        let client = store.client
        self.init(channel: channel ?? store.configuration.wakeupChannel, origin: origin, logger: logger) { channel, payloads in
            try await client.withConnection { connection in
                try await connection.execute(
                    "SELECT pg_notify(\(channel), payload) FROM unnest(\(payloads)::text[]) AS payload", logger: logger)
            }
        }
    }

    /// Publishes with `send` (tests count its round trips).
    public init(channel: String, origin: PostgresWakeupOrigin, logger: Logger, send: @escaping Send) {
        self.channel = channel
        self.origin = origin
        self.logger = logger
        self.send = send
    }

    public func workAvailable() { publish(.workAvailable) }
    public func batchChanged(_ id: Batch.ID) { publish(.batchChanged(id)) }
    public func sendConfigChanged(_ id: SendConfig.ID) { publish(.sendConfigChanged(id)) }

    /// Queues one wake-up, and starts the background sender unless it runs.
    public func publish(_ wakeup: PostgresWakeup) {
        let payload = wakeup.payload(from: origin)
        let start = state.withLock { state -> Bool in
            if state.queued.insert(payload).inserted { state.pending.append(payload) }
            guard !state.sending else { return false }
            state.sending = true
            return true
        }
        // Short-lived: it ends as soon as nothing is pending.
        if start { Task { await self.sendPending() } }
    }

    private func sendPending() async {
        while let payloads = takePending() {
            do {
                try await send(channel, payloads)
                let recovered = state.withLock { state in
                    defer { state.failing = false }
                    return state.failing
                }
                if recovered { logger.info("wake-ups reach other processes again") }
            } catch {
                // Lost wake-ups cost only latency: every worker still polls.
                let first = state.withLock { state in
                    defer { state.failing = true }
                    return !state.failing
                }
                logger.log(
                    level: first ? .warning : .debug, "cannot notify other processes; they will find the work by polling",
                    metadata: ["wakeups": "\(payloads.count)", "error": "\(String(reflecting: error))"])
            }
        }
    }

    /// The next payloads to send, or `nil` (and the sender stops) when none are pending.
    private func takePending() -> [String]? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.sending = false
                return nil
            }
            let next = Array(state.pending.prefix(Self.maxPerRoundTrip))
            state.pending.removeFirst(next.count)
            state.queued.subtract(next)
            return next
        }
    }
}
