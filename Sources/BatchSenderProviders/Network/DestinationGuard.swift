import BatchSenderCore
import Foundation

/// The SSRF guard for every outbound connection — webhook deliveries, provider APIs
/// (`baseUrl`, `instanceUrl`), SMTP relays: decides, before any connection is opened, whether a
/// destination may be reached, and which address to connect to.
///
/// - Only `http` and `https` URLs are ever allowed (AsyncHTTPClient also speaks `http+unix` and
///   `unix`, which would reach local sockets).
/// - A literal host is judged as is by the `NetworkPolicy` (non-canonical numbers such as
///   `012.0.0.1` are refused outright).
/// - A name is first checked by name (`localhost`, metadata names), then resolved ONCE, and
///   refused if ANY of its addresses is refused — so a name with one public and one private
///   record cannot slip through. The verdict names the address to connect to, and callers
///   connect to exactly that address (`PinnedClients`, `SMTPConnection`): a DNS server that
///   answers differently a moment later (DNS rebinding) is never asked again.
/// - Redirects are never followed (the delivery client disallows them).
public struct DestinationGuard: Sendable {
    /// The outcome of a check.
    public enum Verdict: Hashable, Sendable {
        /// Connect, to `address` when the host is a name (the address that was checked), or to
        /// the literal host itself when `address` is `nil`.
        case allowed(address: IPAddress?)
        /// Never reachable: a bad scheme, a malformed URL or a refused destination.
        case refused(String)
        /// The name did not resolve now; it may later (DNS outage).
        case unresolved(String)
    }

    public let policy: NetworkPolicy
    let resolver: any HostResolver

    /// - Parameters:
    ///   - policy: what may be reached (CONTRACT §5, `BATCHSENDER_ALLOWED_PRIVATE_HOSTS`).
    ///   - resolver: how names are resolved; the system resolver unless a test injects one.
    public init(policy: NetworkPolicy, resolver: any HostResolver = SystemHostResolver()) {
        self.policy = policy
        self.resolver = resolver
    }

    /// A guard for `NetworkPolicy(allowPrivateNetworks: !blockPrivateNetworks)`.
    public init(blockPrivateNetworks: Bool, resolver: any HostResolver = SystemHostResolver()) {
        self.init(policy: NetworkPolicy(allowPrivateNetworks: !blockPrivateNetworks), resolver: resolver)
    }

    /// Refuse loopback and private destinations (link-local and metadata are always refused).
    public var blockPrivateNetworks: Bool { !policy.allowPrivateNetworks }

    /// Checks `rawURL`. A lookup slower than `lookupTimeout` counts as unresolved.
    public func check(_ rawURL: String, lookupTimeout: Duration = .seconds(10)) async -> Verdict {
        guard let components = URLComponents(string: rawURL), let scheme = components.scheme?.lowercased() else {
            return .refused("invalid URL \(rawURL)")
        }
        guard scheme == "http" || scheme == "https" else {
            return .refused("unsupported URL scheme \(scheme) (only http and https)")
        }
        guard let host = components.host, !host.isEmpty else { return .refused("URL has no host") }
        return await check(host: host, lookupTimeout: lookupTimeout)
    }

    /// Checks a host as it appears in a URL or a setting (IPv6 literals in brackets or not).
    public func check(host: String, lookupTimeout: Duration = .seconds(10)) async -> Verdict {
        if let reason = policy.blockedReason(forHost: host) { return .refused("blocked: \(reason)") }
        if IPAddress(literal: host) != nil { return .allowed(address: nil) }  // judged above: nothing to resolve

        let addresses: [IPAddress]
        do {
            addresses = try await firstToFinish(within: lookupTimeout) { try await resolver.addresses(of: host) }
        } catch is DeadlineExceeded {
            return .unresolved("DNS lookup of \(host) timed out")
        } catch {
            return .unresolved("\(error)")
        }
        for address in addresses {
            if let reason = policy.blockedReason(for: address, host: host) { return .refused("blocked: \(reason)") }
        }
        guard let pinned = Self.preferred(addresses) else { return .unresolved("DNS lookup of \(host) found no address") }
        return .allowed(address: pinned)
    }

    /// The address to connect to: the first IPv4 one when there is one (many containers have no
    /// IPv6 route, and a pinned connection cannot fall back the way Happy Eyeballs would), else
    /// the first in the resolver's (RFC 6724) order.
    static func preferred(_ addresses: [IPAddress]) -> IPAddress? {
        addresses.first { if case .v4 = $0 { true } else { false } } ?? addresses.first
    }
}
