import BatchSenderCore
import Foundation

/// The SSRF guard for outbound HTTP deliveries: decides, before any connection is opened, whether
/// a URL may be called.
///
/// - Only `http` and `https` are ever allowed (AsyncHTTPClient also speaks `http+unix` and
///   `unix`, which would reach local sockets).
/// - With `blockPrivateNetworks`, a literal IP is checked as is; a name is first checked by
///   `NetworkGuard.blockedReason(forHost:)` (`localhost`, metadata names), then resolved, and refused
///   if ANY of its addresses is loopback, private, link-local, CGNAT, unspecified, multicast or
///   metadata — so a name with one public and one private record cannot slip through.
/// - Redirects are never followed (the delivery client disallows them), so a public URL cannot
///   bounce the request to a private one.
///
/// Residual risk — DNS rebinding: the HTTP client resolves the name again when it connects, so an
/// attacker-run DNS server answering with TTL 0 could hand the guard a public address and the
/// client a private one a moment later. AsyncHTTPClient 1.37 offers no resolver hook to pin the
/// checked address (its `DNSResolver` is only `.system` or `.randomized`), and connecting to the
/// IP literal instead would break TLS (SNI and certificate names) for https. We accept the window:
/// it needs an attacker-controlled authoritative DNS server, the attacker sees at most a status
/// line and the first ~200 characters of a 4xx body (in `lastError`), and deployments that need a
/// hard guarantee put deliveries behind an egress proxy or a network policy, as for any webhook
/// sender.
public struct DestinationGuard: Sendable {
    /// The outcome of a check.
    public enum Verdict: Hashable, Sendable {
        case allowed
        /// Never deliverable: a bad scheme, a malformed URL or a private destination.
        case refused(String)
        /// The name did not resolve now; it may later (DNS outage).
        case unresolved(String)
    }

    public let blockPrivateNetworks: Bool
    let resolver: any HostResolver

    /// - Parameters:
    ///   - blockPrivateNetworks: refuse private destinations (CONTRACT §5); with `false`, only the
    ///     scheme is checked and nothing is resolved.
    ///   - resolver: how names are resolved; the system resolver unless a test injects one.
    public init(blockPrivateNetworks: Bool, resolver: any HostResolver = SystemHostResolver()) {
        self.blockPrivateNetworks = blockPrivateNetworks
        self.resolver = resolver
    }

    /// Checks `rawURL`. A lookup slower than `lookupTimeout` counts as unresolved.
    public func check(_ rawURL: String, lookupTimeout: Duration = .seconds(10)) async -> Verdict {
        guard let components = URLComponents(string: rawURL), let scheme = components.scheme?.lowercased() else {
            return .refused("invalid URL \(rawURL)")
        }
        guard scheme == "http" || scheme == "https" else {
            return .refused("unsupported URL scheme \(scheme) (only http and https)")
        }
        guard let host = components.host, !host.isEmpty else { return .refused("URL has no host") }
        guard blockPrivateNetworks else { return .allowed }

        if let reason = NetworkGuard.blockedReason(forHost: host) { return .refused("blocked: \(reason)") }
        if IPAddress(literal: host) != nil { return .allowed }  // a public literal: nothing to resolve

        let addresses: [IPAddress]
        do {
            addresses = try await firstToFinish(within: lookupTimeout) { try await resolver.addresses(of: host) }
        } catch is DeadlineExceeded {
            return .unresolved("DNS lookup of \(host) timed out")
        } catch {
            return .unresolved("\(error)")
        }
        for address in addresses {
            if let reason = address.blockedReason {
                return .refused("blocked: \(host) resolves to \(reason) address \(address)")
            }
        }
        return .allowed
    }
}
