import AsyncHTTPClient
import BatchSenderCore
import Foundation
import NIOCore
import Synchronization

/// HTTP clients that connect to the address `DestinationGuard` approved instead of resolving
/// the name again (which would let a DNS server answer a public address to the guard and
/// 127.0.0.1 to the connection: DNS rebinding).
///
/// AsyncHTTPClient 1.37 has no per-request resolver; its `Configuration.dnsOverride` maps a host
/// to the address to connect to while keeping the URL's name for the `Host` header, TLS SNI and
/// certificate verification (`DeconstructedURL.applyDNSOverride`, `ConnectionPool.Key`). A
/// client's configuration is fixed, so there is one small client per (host, address), kept for
/// reuse of its keep-alive connections; the least recently used idle ones are shut down beyond
/// `capacity`. Literal hosts need no pin and go through the shared client.
public final class PinnedClients: Sendable {
    /// Makes the client for `host` pinned to `address`. Tests inject one to see which address a
    /// connection was pinned to without connecting to it.
    public typealias Factory = @Sendable (_ host: String, _ address: IPAddress) -> HTTPClient

    private struct Key: Hashable {
        var host: String
        var address: IPAddress
    }

    private struct Entry {
        var client: HTTPClient
        var leases: Int
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var tick: UInt64 = 0
    }

    private let capacity: Int
    private let factory: Factory
    private let state = Mutex(State())

    /// - Parameters:
    ///   - capacity: idle pinned clients kept for reuse (a provider API needs one; webhooks one per
    ///     receiving host).
    ///   - factory: builds a pinned client; by default the delivery configuration plus the pin.
    public init(capacity: Int = 32, factory: @escaping Factory = PinnedClients.deliveryClient) {
        self.capacity = max(1, capacity)
        self.factory = factory
    }

    deinit {
        // Nothing can be in flight: every call holds a reference to us until it returns.
        for client in state.withLock({ $0.entries.values.map(\.client) }) { _ = client.shutdown() }
    }

    /// The default factory: `DeliveryHTTPClient.configuration()` with `host` mapped to `address`.
    public static func deliveryClient(host: String, address: IPAddress) -> HTTPClient {
        var configuration = DeliveryHTTPClient.configuration()
        configuration.dnsOverride = [host: address.description]
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Runs `body` with the client to use for `url`: `base` when `address` is `nil` (a literal
    /// host), else a client whose connections go to `address` only.
    public func withClient<T>(
        url: String, address: IPAddress?, base: HTTPClient, _ body: (HTTPClient) async throws -> T
    ) async throws -> T {
        // The host exactly as AsyncHTTPClient reads it from the URL (Foundation's `URL.host`), so
        // its dnsOverride lookup cannot miss.
        guard let address else { return try await body(base) }
        // Never fall back to the unpinned client for a name: it would resolve the name again.
        guard let host = URL(string: url)?.host, !host.isEmpty else { throw HTTPClientError.invalidURL }
        let key = Key(host: host, address: address)
        let client = lease(key)
        defer { release(key) }
        return try await body(client)
    }

    /// The number of pinned clients currently kept (for tests).
    var count: Int { state.withLock { $0.entries.count } }

    private func lease(_ key: Key) -> HTTPClient {
        var evicted: [HTTPClient] = []
        let client = state.withLock { state -> HTTPClient in
            state.tick += 1
            if var entry = state.entries[key] {
                entry.leases += 1
                entry.lastUse = state.tick
                state.entries[key] = entry
                return entry.client
            }
            let made = factory(key.host, key.address)
            state.entries[key] = Entry(client: made, leases: 1, lastUse: state.tick)
            if state.entries.count > capacity {
                let idle = state.entries.filter { $0.value.leases == 0 }.sorted { $0.value.lastUse < $1.value.lastUse }
                for (oldKey, entry) in idle.prefix(state.entries.count - capacity) {
                    state.entries[oldKey] = nil
                    evicted.append(entry.client)
                }
            }
            return made
        }
        for old in evicted { _ = old.shutdown() }  // idle: nothing of it is in use
        return client
    }

    private func release(_ key: Key) {
        state.withLock { state in
            state.tick += 1
            state.entries[key]?.leases -= 1
            state.entries[key]?.lastUse = state.tick
        }
    }
}
