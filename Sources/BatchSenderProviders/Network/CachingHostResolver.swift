import BatchSenderCore

/// Remembers successful lookups for `ttl`, so the SSRF guard does not call `getaddrinfo` (a
/// thread-pool hop and several syscalls) for every delivery to the same host. Failures are not
/// cached: a name that starts resolving is used at once. The guard's verdict can be at most
/// `ttl` old — the same order as the rebinding window `DestinationGuard` already documents.
public final class CachingHostResolver: HostResolver {
    private let base: any HostResolver
    private let cache: ExpiringCache<String, [IPAddress]>

    public init(_ base: any HostResolver = SystemHostResolver(), ttl: Duration = .seconds(30)) {
        self.base = base
        cache = ExpiringCache(ttl: ttl)
    }

    public func addresses(of host: String) async throws -> [IPAddress] {
        // `load` never returns nil: a failure throws and is not stored.
        try await cache.value(for: host) { try await base.addresses(of: host) } ?? []
    }
}
