import Synchronization

/// The answer of `KeyedRateLimiter` to one request, with what a client is told about it.
public struct RateLimitDecision: Sendable, Hashable {
    public var allowed: Bool
    /// The burst: how many requests a full bucket allows at once.
    public var limit: Int
    /// How many more requests would be allowed at once right after this one.
    public var remaining: Int
    /// Whole seconds, rounded up, until the bucket is full again (`remaining == limit`); 0 when it is.
    public var resetSeconds: Int
    /// Refused requests only: whole seconds, rounded up and at least 1, until one is allowed.
    public var retryAfterSeconds: Int?

    public init(allowed: Bool, limit: Int, remaining: Int, resetSeconds: Int, retryAfterSeconds: Int?) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.resetSeconds = resetSeconds
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One GCRA bucket (`CellRate`) per key, in memory, behind one lock.
///
/// Memory stays bounded without a timer: a key whose theoretical arrival time has passed has a
/// full bucket, exactly as if it had never been seen, so dropping it changes nothing. Such keys
/// are swept when the table has doubled since the last sweep (amortised O(1) per request), so
/// the table holds at most about twice the keys that made a request within one refill period
/// (`burst / rate`: 2 s for the default `100/s`, burst 200), and never more than `capacity`:
/// should more than half of that be live after a sweep, the table is emptied, which errs towards
/// letting requests through (keys are authenticated first, so this takes that many real keys).
public final class KeyedRateLimiter<Key: Hashable & Sendable>: Sendable {
    public let rate: CellRate
    private let capacity: Int
    /// Microseconds on a monotonic scale; injected so tests control time.
    private let clock: @Sendable () -> Int64
    private let table: Mutex<Table>

    private struct Table {
        var tats: [Key: Int64] = [:]
        /// The smallest table that is ever swept: below it a sweep would cost more than it saves.
        static var minimumSweep: Int { 1_024 }
        var sweepAt: Int

        /// Drops full buckets; the next sweep comes when the table has doubled again. Past half
        /// the capacity in live buckets it empties the table instead, so sweeps stay rare.
        mutating func sweep(now: Int64, capacity: Int) {
            tats = tats.filter { $0.value > now }
            if tats.count > capacity / 2 { tats.removeAll() }
            sweepAt = min(max(Self.minimumSweep, 2 * tats.count), capacity)
        }
    }

    /// - Parameters:
    ///   - clock: microseconds on any monotonic scale; by default the process's continuous clock.
    public init(perSecond: Double, burst: Int, capacity: Int = 1_000_000, clock: (@Sendable () -> Int64)? = nil) {
        rate = CellRate(perSecond: perSecond, burst: burst)
        self.capacity = max(capacity, 1)
        self.clock = clock ?? Self.continuousMicroseconds()
        table = Mutex(Table(sweepAt: min(Table.minimumSweep, max(capacity, 1))))
    }

    public convenience init(_ limit: APIRateLimit, capacity: Int = 1_000_000, clock: (@Sendable () -> Int64)? = nil) {
        self.init(perSecond: limit.perSecond, burst: limit.burst, capacity: capacity, clock: clock)
    }

    /// Decides one request of `key`: allowed requests spend one unit of its bucket, refused ones
    /// spend nothing (so a client that keeps retrying too early is not pushed further back).
    public func acquire(_ key: Key) -> RateLimitDecision {
        let now = clock()
        // Only the table lookup and update hold the lock; the arithmetic for the headers is outside.
        let (allowed, tat) = table.withLock { table -> (Bool, Int64?) in
            if table.tats.count >= table.sweepAt { table.sweep(now: now, capacity: capacity) }
            let tat = table.tats[key]
            guard rate.available(tat: tat, now: now) >= 1 else { return (false, tat) }
            let spent = rate.spending(1, tat: tat, now: now)
            table.tats[key] = spent
            return (true, spent)
        }
        return RateLimitDecision(
            allowed: allowed, limit: rate.burst, remaining: rate.available(tat: tat, now: now),
            resetSeconds: Self.wholeSeconds(tat.map { $0 - now } ?? 0),
            retryAfterSeconds: allowed ? nil : max(1, Self.wholeSeconds(rate.waitForOne(tat: tat, now: now))))
    }

    /// Keys currently held (those swept away count as full buckets).
    public var trackedKeys: Int { table.withLock { $0.tats.count } }

    /// Microseconds rounded up to whole seconds; 0 for none.
    static func wholeSeconds(_ micros: Int64) -> Int {
        guard micros > 0 else { return 0 }
        return Int((micros + 999_999) / 1_000_000)
    }

    private static func continuousMicroseconds() -> @Sendable () -> Int64 {
        let start = ContinuousClock.now
        return {
            let elapsed = (ContinuousClock.now - start).components
            return elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000
        }
    }
}
