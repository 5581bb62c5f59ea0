import Synchronization

/// Remembers successful lookups for `ttl`, so the SSRF guard does not call `getaddrinfo` (a
/// thread-pool hop and several syscalls) for every delivery to the same host. Failures are not
/// cached: a name that starts resolving is used at once. The guard's verdict can be at most
/// `ttl` old — the same order as the rebinding window `DestinationGuard` already documents.
public final class CachingHostResolver: HostResolver {
    private let base: any HostResolver
    private let ttl: Duration
    private let entries = Mutex<[String: (addresses: [IPAddress], until: ContinuousClock.Instant)]>([:])

    public init(_ base: any HostResolver = SystemHostResolver(), ttl: Duration = .seconds(30)) {
        self.base = base
        self.ttl = ttl
    }

    public func addresses(of host: String) async throws -> [IPAddress] {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[host] }), hit.until > now { return hit.addresses }
        let found = try await base.addresses(of: host)
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[host] = (found, now + ttl)
        }
        return found
    }
}
