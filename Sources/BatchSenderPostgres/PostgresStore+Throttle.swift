import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

// Shared delivery limits (CONTRACT §9: a send config's `rateLimit` and `maxConcurrency` hold for
// all processes together).
//
// The choice: one throttle row per send config (`send_config_throttles`), locked `FOR UPDATE` by
// every limited claim, with the claim itself in the same transaction. Under the lock the claim
// reads the rate limiter's state (GCRA: one `tat` column is an exact token bucket with burst),
// the provider's pause, the config's version and the config's in-flight recipients (the exact
// `count_sending` of its batches), grants min(asked, tokens, concurrency headroom), claims, and
// charges what it claimed. Why this and not the alternatives:
// - per-process shares renegotiated through the database are only approximate, idle processes
//   strand their share, and a dead process holds its share until it is noticed;
// - advisory locks or counters outside the claim could not see the claim's own result; here the
//   tokens charged are exactly the calls the claimed recipients need, and the in-flight count is
//   derived from the recipient rows' maintained counts, so nothing has to be given back after a
//   crash (a dead worker's `sending` rows count until the rescuer takes them back: its leases).
// The row lock serializes one config's claims across processes; they are short (milliseconds),
// and other configs are not affected. Lock order: the throttle row comes before every other lock
// (batches, then recipients, as in `PostgresStore+BatchLocks.swift`), and nothing that holds a
// batch lock ever takes a throttle row, so the added lock cannot deadlock. Claims never wait for the work of the call itself: waiting
// for a token happens before claiming (LESSONS), in the caller, for the time the store names.
//
// Times are the database's (`clock_timestamp()`: the time of the statement, not the start of the
// transaction, which may have waited for the lock), so skewed process clocks cannot change the
// rate. PostgreSQL docs, "Date/Time Functions": clock_timestamp() "changes during statement execution".

extension PostgresStore: SharedDeliveryLimits {
    public func claim(_ request: LimitedClaimRequest) async throws -> LimitedClaim {
        let rate = CellRate(perSecond: request.limits.perSecond, burst: request.limits.burst)
        let callSize = request.limits.callSize
        guard request.calls > 0 else { return LimitedClaim(at: Date()) }
        return try await transaction { connection in
            guard let throttle = try await Self.lockThrottle(request.sendConfig, connection, logger) else {
                // The config is gone: the caller's config is stale.
                return LimitedClaim(refusal: .configChanged, at: Date())
            }
            // A statement of its own, after the lock: under READ COMMITTED it sees every claim and
            // completion committed before the lock was granted (a statement's snapshot is taken
            // when it starts, so reading these in the locking statement could miss them).
            let state = try await Self.throttleState(request.sendConfig, finished: request.finished, connection, logger)
            let at = Self.date(microseconds: state.now)
            // `updated_at` has microsecond precision; the caller's copy went through a Double.
            guard let version = state.version, abs(version.timeIntervalSince(request.configVersion)) < 0.001 else {
                return LimitedClaim(refusal: .configChanged, at: at)
            }
            var tat = rate.refunding(request.unusedCalls, tat: throttle.tat, now: state.now)
            var result = LimitedClaim(at: at)
            if let paused = throttle.pausedUntil, paused > state.now {
                result.refusal = .paused
                result.retryAfter = Double(paused - state.now) / 1_000_000
            } else {
                let inFlight = Int((state.sending + Int64(callSize) - 1) / Int64(callSize))
                let wanted = min(request.calls, request.limits.maxConcurrency - inFlight)
                let tokens = rate.available(tat: tat, now: state.now)
                let least = Self.leastGrant(wanted: wanted, limits: request.limits)
                if wanted > 0, tokens >= least {
                    result.claimed = try await Self.claimDue(
                        sendConfig: request.sendConfig, limit: min(wanted, tokens) * callSize, now: request.now,
                        leaseDuration: request.leaseDuration, connection, logger)
                    result.calls = (result.claimed.count + callSize - 1) / callSize
                    tat = rate.spending(result.calls, tat: tat, now: state.now)
                } else if tokens < least {
                    result.refusal = .rate
                    result.retryAfter = Double(rate.waitFor(least, tat: tat, now: state.now)) / 1_000_000
                } else {
                    result.refusal = .concurrency
                }
            }
            if tat != throttle.tat {
                try await connection.execute(
                    """
                    UPDATE send_config_throttles
                    SET tat = to_timestamp(0) + \(tat.map(Double.init)) * interval '1 microsecond'
                    WHERE send_config_id = \(request.sendConfig.rawValue)
                    """, logger: logger)
            }
            return result
        }
    }

    /// Tokens worth one claim transaction: a claim is refused until this many are there. One
    /// transaction per call would make the throttle row's lock, not the rate, the limit at high
    /// rates (two workers at 200/s measured about half the rate that way); waiting for up to
    /// `claimQuantum` of the rate lets one claim carry several calls and leaves the rate as it is
    /// (tokens keep accruing while a claimer waits, up to the burst).
    static func leastGrant(wanted: Int, limits: DeliveryLimits) -> Int {
        let quantum = limits.perSecond * claimQuantum
        let perQuantum = quantum.isFinite && quantum >= 1 ? Int(min(quantum, 1e6)) : 1
        return max(1, min(wanted, limits.burst, perQuantum))
    }

    /// See `leastGrant`: at most this much of the rate's time is waited for at once.
    static let claimQuantum: Double = 0.05

    public func pause(sendConfig: SendConfig.ID, for seconds: TimeInterval) async throws {
        guard seconds.isFinite, seconds > 0 else { return }
        try await transaction { connection in
            // Only for a config that exists (a deleted one has nothing left to pause).
            try await connection.execute(
                """
                INSERT INTO send_config_throttles AS t (send_config_id, paused_until)
                SELECT id, clock_timestamp() + \(seconds) * interval '1 second' FROM send_configs
                WHERE id = \(sendConfig.rawValue)
                ON CONFLICT (send_config_id) DO UPDATE
                SET paused_until = GREATEST(t.paused_until, excluded.paused_until)
                """, logger: logger)
        }
    }

    /// The throttle row's state, in microseconds since 1970.
    struct Throttle {
        var tat: Int64?
        var pausedUntil: Int64?
    }

    /// Locks the send config's throttle row until the transaction ends, making it first if
    /// needed; `nil` when the send config does not exist.
    static func lockThrottle(_ id: SendConfig.ID, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> Throttle?
    {
        let select: PostgresQuery = """
            SELECT (extract(epoch FROM tat) * 1000000)::bigint AS tat,
                   (extract(epoch FROM paused_until) * 1000000)::bigint AS paused_until
            FROM send_config_throttles WHERE send_config_id = \(id.rawValue) FOR UPDATE
            """
        if let row = try await connection.row(select, logger: logger) { return try Throttle(row) }
        // First claim of this config: racing first claims insert once, and the losers wait for
        // the winner's row lock in the SELECT that follows.
        try await connection.execute(
            """
            INSERT INTO send_config_throttles (send_config_id)
            SELECT id FROM send_configs WHERE id = \(id.rawValue)
            ON CONFLICT (send_config_id) DO NOTHING
            """, logger: logger)
        return try await connection.row(select, logger: logger).map(Throttle.init)
    }

    /// Database time (µs), the config's version and its recipients in flight.
    /// `sending` leaves out the caller's finished calls still `sending` under their leases
    /// (`LimitedClaimRequest.finished`).
    private static func throttleState(
        _ id: SendConfig.ID, finished: [HeldLease], _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> (now: Int64, version: Date?, sending: Int64) {
        let held = finished.compactMap { lease in lease.recipientID.row.map { ($0, lease.leaseToken) } }
        let row = try await connection.row(
            """
            SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now,
                   (SELECT updated_at FROM send_configs WHERE id = \(id.rawValue)) AS version,
                   (SELECT COALESCE(SUM(count_sending), 0)::bigint FROM batches
                    WHERE send_config_id = \(id.rawValue))
                   - (SELECT count(*) FROM recipients r
                      JOIN unnest(\(held.map(\.0))::bigint[], \(held.map(\.1))::bigint[]) AS f(id, token)
                        ON r.id = f.id AND r.lease_token = f.token
                      WHERE r.status = 'sending') AS sending
            """, logger: logger)
        guard let row else { throw PostgresStoreError.corruptRow("clock_timestamp") }
        return (try row.required("now"), try row.optional("version"), try row.required("sending"))
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}

extension PostgresStore.Throttle {
    init(_ row: PostgresRandomAccessRow) throws {
        tat = try row.optional("tat")
        pausedUntil = try row.optional("paused_until")
    }
}
