import Synchronization

/// A small thread-safe cache whose entries expire `ttl` after they were stored. Failures are
/// never stored, so a lookup that starts succeeding is seen at once. It forgets everything when
/// it reaches `capacity`, which is enough for the few keys it is meant for (hosts, send configs).
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let ttl: Duration
    private let capacity: Int
    private let entries = Mutex<[Key: (value: Value, until: ContinuousClock.Instant)]>([:])

    public init(ttl: Duration, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The cached value of `key`, or `load()`'s, stored when it is not `nil`.
    public func value(for key: Key, load: () async throws -> Value?) async rethrows -> Value? {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), hit.until > now { return hit.value }
        guard let loaded = try await load() else { return nil }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = (loaded, now + ttl)
        }
        return loaded
    }
}
