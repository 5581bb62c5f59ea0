/// The address blocks deliveries and provider calls must not reach: every block the IANA
/// special-purpose registries mark "Globally Reachable: False" (plus multicast and the cloud
/// metadata services), most specific first.
///
/// Sources: IANA IPv4 Special-Purpose Address Registry (RFC 6890, updated by RFC 8190),
/// https://www.iana.org/assignments/iana-ipv4-special-registry; IANA IPv6 Special-Purpose
/// Address Registry, https://www.iana.org/assignments/iana-ipv6-special-registry; multicast
/// 224.0.0.0/4 (RFC 5771) and ff00::/8 (RFC 4291). Blocks the registries call global but that no
/// delivery should reach (the deprecated 6to4 relay anycast 192.88.99.0/24, RFC 7526) are listed too.
enum SpecialAddresses {
    struct Block: Sendable {
        var prefix: [UInt8]
        var length: Int
        var reason: String
        /// How hard it is refused (`NetworkPolicy`): loopback and unspecified are `.local`;
        /// link-local and cloud metadata `.forbidden` — a credential endpoint one request away.
        var severity: NetworkGuard.Finding.Severity

        func contains(_ bytes: [UInt8]) -> Bool { CIDR.matches(bytes, prefix: prefix, length: length) }
    }

    static let ipv4: [Block] = [
        .init(prefix: [169, 254, 169, 254], length: 32, reason: "cloud metadata", severity: .forbidden),
        .init(prefix: [169, 254, 170, 2], length: 32, reason: "cloud metadata (AWS ECS)", severity: .forbidden),
        .init(prefix: [100, 100, 100, 200], length: 32, reason: "cloud metadata (Alibaba Cloud)", severity: .forbidden),
        .init(prefix: [192, 0, 0, 192], length: 32, reason: "cloud metadata (Oracle Cloud)", severity: .forbidden),
        .init(prefix: [169, 254, 0, 0], length: 16, reason: "link-local", severity: .forbidden),  // RFC 3927
        .init(prefix: [0, 0, 0, 0], length: 8, reason: "unspecified", severity: .local),  // "this network", RFC 791
        .init(prefix: [127, 0, 0, 0], length: 8, reason: "loopback", severity: .local),  // RFC 1122
        .init(prefix: [10, 0, 0, 0], length: 8, reason: "private", severity: .nonGlobal),  // RFC 1918
        .init(prefix: [172, 16, 0, 0], length: 12, reason: "private", severity: .nonGlobal),
        .init(prefix: [192, 168, 0, 0], length: 16, reason: "private", severity: .nonGlobal),
        .init(prefix: [100, 64, 0, 0], length: 10, reason: "carrier-grade NAT", severity: .nonGlobal),  // RFC 6598
        .init(prefix: [192, 0, 0, 0], length: 24, reason: "IETF protocol assignment", severity: .nonGlobal),  // RFC 6890
        .init(prefix: [192, 0, 2, 0], length: 24, reason: "documentation", severity: .nonGlobal),  // RFC 5737
        .init(prefix: [198, 51, 100, 0], length: 24, reason: "documentation", severity: .nonGlobal),
        .init(prefix: [203, 0, 113, 0], length: 24, reason: "documentation", severity: .nonGlobal),
        .init(prefix: [192, 88, 99, 0], length: 24, reason: "6to4 relay anycast", severity: .nonGlobal),  // RFC 7526
        .init(prefix: [198, 18, 0, 0], length: 15, reason: "benchmarking", severity: .nonGlobal),  // RFC 2544
        .init(prefix: [224, 0, 0, 0], length: 4, reason: "multicast", severity: .nonGlobal),  // RFC 5771
        .init(prefix: [240, 0, 0, 0], length: 4, reason: "reserved", severity: .nonGlobal),  // RFC 1112, incl. broadcast
    ]

    static let ipv6: [Block] = [
        // AWS's IPv6 instance metadata, DNS and time services live in fd00:ec2::/32 (IMDS at ::254).
        .init(prefix: v6([0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254]), length: 128, reason: "cloud metadata", severity: .forbidden),
        .init(prefix: v6([0xfd00, 0x0ec2]), length: 32, reason: "cloud metadata (AWS)", severity: .forbidden),
        .init(prefix: v6([0xfe80]), length: 10, reason: "link-local", severity: .forbidden),  // RFC 4291
        .init(prefix: v6([]), length: 128, reason: "unspecified", severity: .local),
        .init(prefix: v6([0, 0, 0, 0, 0, 0, 0, 1]), length: 128, reason: "loopback", severity: .local),
        .init(prefix: v6([0x64, 0xff9b, 1]), length: 48, reason: "local-use IPv4/IPv6 translation", severity: .nonGlobal),  // RFC 8215
        .init(prefix: v6([0x100]), length: 64, reason: "discard-only", severity: .nonGlobal),  // RFC 6666
        .init(prefix: v6([0x2001, 0]), length: 32, reason: "Teredo", severity: .nonGlobal),  // RFC 4380
        .init(prefix: v6([0x2001, 2, 0]), length: 48, reason: "benchmarking", severity: .nonGlobal),  // RFC 5180
        .init(prefix: v6([0x2001, 0xdb8]), length: 32, reason: "documentation", severity: .nonGlobal),  // RFC 3849
        .init(prefix: v6([0x2001]), length: 23, reason: "IETF protocol assignment", severity: .nonGlobal),  // RFC 2928
        .init(prefix: v6([0x3fff]), length: 20, reason: "documentation", severity: .nonGlobal),  // RFC 9637
        .init(prefix: v6([0x5f00]), length: 16, reason: "SRv6 SID", severity: .nonGlobal),  // RFC 9602
        .init(prefix: v6([0xfc00]), length: 7, reason: "unique local (private)", severity: .nonGlobal),  // RFC 4193
        .init(prefix: v6([0xfec0]), length: 10, reason: "site-local", severity: .nonGlobal),  // RFC 3879, deprecated
        .init(prefix: v6([0xff00]), length: 8, reason: "multicast", severity: .nonGlobal),  // RFC 4291
    ]

    /// NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): global, but it reaches the IPv4 address
    /// in its last 32 bits, which is judged instead.
    static let nat64 = v6([0x64, 0xff9b])
    /// 6to4 2002::/16 (RFC 3056): the IPv4 address in bits 16–47 is judged.
    static let sixToFour = v6([0x2002])

    /// Sixteen bytes from up to eight 16-bit groups, zero-filled.
    static func v6(_ groups: [UInt16]) -> [UInt8] {
        let padded = groups + Array(repeating: 0, count: 8 - groups.count)
        return padded.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}

/// Prefix matching on raw address bytes.
enum CIDR {
    static func matches(_ bytes: [UInt8], prefix: [UInt8], length: Int) -> Bool {
        guard bytes.count == prefix.count, length <= bytes.count * 8 else { return false }
        var remaining = length
        for index in bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != prefix[index] & mask { return false }
            remaining -= bits
        }
        return true
    }
}
