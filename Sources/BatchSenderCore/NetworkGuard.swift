/// Recognises hosts and addresses a delivery or provider call must not reach (the SSRF guard):
/// everything the IANA special-purpose registries call non-global (`SpecialAddresses`), cloud
/// metadata, and numeric hosts spelled any way but the canonical dotted quad.
///
/// `NetworkPolicy` decides what is allowed anyway (private networks, an operator allowlist);
/// this type only classifies. Literal hosts are judged here; names are judged by what they
/// resolve to (`DestinationGuard` in the providers).
public enum NetworkGuard {
    /// What a host or address is, when it is not an ordinary global destination.
    public struct Finding: Hashable, Sendable {
        /// What kind of block it is in (`loopback`, `private`, `cloud metadata`, …).
        public var reason: String
        public var severity: Severity

        public enum Severity: Hashable, Sendable {
            /// This machine: loopback, unspecified, `localhost`.
            case local
            /// Private, shared, reserved, documentation, multicast…
            case nonGlobal
            /// Link-local and cloud metadata: never allowed.
            case forbidden
            /// Not a usable host spelling (non-canonical numbers, a malformed IPv6 literal).
            case malformed
        }
    }

    /// Why `host` is refused under the strictest policy, or `nil` when it is a global address or
    /// an ordinary name (whose addresses are checked when it is resolved).
    public static func blockedReason(forHost host: String) -> String? {
        NetworkPolicy.strict.blockedReason(forHost: host)
    }

    /// What `rawHost` (as it appears in a URL, brackets allowed) is, without resolving it.
    public static func finding(forHost rawHost: String) -> Finding? {
        var host = rawHost.lowercased()
        let bracketed = host.hasPrefix("[") && host.hasSuffix("]")
        if bracketed { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        if host == "localhost" || host.hasSuffix(".localhost") {  // RFC 6761 §6.3
            return Finding(reason: "loopback host", severity: .local)
        }
        if metadataNames.contains(host) { return Finding(reason: "cloud metadata host", severity: .forbidden) }
        if let address = IPAddress(literal: host) { return finding(for: address) }
        if bracketed || host.contains(":") || host.contains("%") {
            return Finding(reason: "malformed IPv6 literal", severity: .malformed)
        }
        if endsInNumber(host) {
            // `012.0.0.1` is 10.0.0.1 to getaddrinfo and 12.0.0.1 to a reader; `127.1`,
            // `0x7f.1` and `2130706433` are all 127.0.0.1. Only the canonical form is accepted.
            return Finding(reason: "non-canonical numeric host", severity: .malformed)
        }
        return nil
    }

    /// What `address` is, or `nil` for a global address. IPv6 forms that carry an IPv4 address
    /// (mapped, translated, compatible, NAT64, 6to4) are judged by that address as well.
    public static func finding(for address: IPAddress) -> Finding? {
        switch address {
        case .v4(let bytes):
            guard bytes.count == 4 else { return Finding(reason: "malformed", severity: .malformed) }
            return SpecialAddresses.ipv4.first { $0.contains(bytes) }.map(Finding.init)
        case .v6(let bytes):
            guard bytes.count == 16 else { return Finding(reason: "malformed", severity: .malformed) }
            // `::` and `::1` are listed exactly, so they never reach the IPv4-compatible rule below.
            if let direct = SpecialAddresses.ipv6.first(where: { $0.contains(bytes) }) { return Finding(direct) }
            if let v4 = address.embeddedIPv4 {
                // IANA: ::ffff:0:0/96 is not globally reachable. The inner address names the
                // reason, so `::ffff:169.254.169.254` stays forbidden.
                return finding(for: .v4(v4)).map { Finding(reason: "IPv4-mapped \($0.reason)", severity: $0.severity) }
                    ?? Finding(reason: "IPv4-mapped", severity: .nonGlobal)
            }
            if CIDR.matches(bytes, prefix: SpecialAddresses.nat64, length: 96) {
                return finding(for: .v4(Array(bytes[12..<16]))).map { Finding(reason: "NAT64 \($0.reason)", severity: $0.severity) }
            }
            if CIDR.matches(bytes, prefix: SpecialAddresses.sixToFour, length: 16) {
                return finding(for: .v4(Array(bytes[2..<6]))).map { Finding(reason: "6to4 \($0.reason)", severity: $0.severity) }
            }
            return nil
        }
    }

    static let metadataNames: Set<String> = ["metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"]

    /// WHATWG URL "ends in a number": the last label is all digits or `0x` and hex digits. Such a
    /// host is an IPv4 address to every URL parser and to `inet_aton`, never a DNS name.
    static func endsInNumber(_ host: String) -> Bool {
        guard let last = host.split(separator: ".", omittingEmptySubsequences: false).last, !last.isEmpty else { return false }
        if last.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        let lower = last.lowercased()
        return lower.hasPrefix("0x") && lower.dropFirst(2).allSatisfy { $0.isHexDigit && $0.isASCII }
    }
}

extension NetworkGuard.Finding {
    init(_ block: SpecialAddresses.Block) {
        self.init(reason: block.reason, severity: block.severity)
    }
}
