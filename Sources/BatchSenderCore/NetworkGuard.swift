/// Recognises hosts a delivery must not reach unless private networks are allowed (SSRF guard):
/// loopback, private, link-local, carrier-grade NAT, unspecified and cloud metadata addresses.
/// This checks literal hosts; the webhook provider's `DestinationGuard` checks resolved ones.
public enum NetworkGuard {
    /// Why `host` is refused, or `nil` when it is a public address or an ordinary name.
    public static func blockedReason(forHost rawHost: String) -> String? {
        var host = rawHost.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        if host == "localhost" || host.hasSuffix(".localhost") { return "loopback host \(rawHost)" }
        if metadataNames.contains(host) { return "cloud metadata host \(rawHost)" }
        if let v4 = parseIPv4(host) { return blockedReason(ipv4: v4).map { "\($0) address \(rawHost)" } }
        if let v6 = parseIPv6(host) { return blockedReason(ipv6: v6).map { "\($0) address \(rawHost)" } }
        return nil
    }

    static let metadataNames: Set<String> = ["metadata.google.internal", "metadata", "instance-data"]

    /// Classifies an IPv4 address given as four octets (anything else is refused as malformed).
    public static func blockedReason(ipv4 o: [UInt8]) -> String? {
        guard o.count == 4 else { return "malformed" }
        switch (o[0], o[1], o[2]) {
        case (0, _, _): return "unspecified"
        case (127, _, _): return "loopback"
        case (10, _, _), (172, 16...31, _), (192, 168, _): return "private"
        case (169, 254, _): return "link-local"
        case (100, 64...127, _): return "carrier-grade NAT"
        case (192, 0, 0): return "IETF protocol assignment"  // 192.0.0.0/24
        case (198, 18...19, _): return "benchmarking"  // 198.18.0.0/15
        case (224...255, _, _): return "multicast or reserved"
        default: return nil
        }
    }

    /// Classifies an IPv6 address given as sixteen bytes (anything else is refused as malformed).
    /// Forms that carry an IPv4 address are judged by that address.
    public static func blockedReason(ipv6 b: [UInt8]) -> String? {
        guard b.count == 16 else { return "malformed" }
        if b.allSatisfy({ $0 == 0 }) { return "unspecified" }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "loopback" }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
            return blockedReason(ipv4: Array(b[12..<16]))  // ::ffff:a.b.c.d, IPv4-mapped
        }
        if b[0..<12].allSatisfy({ $0 == 0 }) { return blockedReason(ipv4: Array(b[12..<16])) }  // ::a.b.c.d
        if b[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0][...] {
            return blockedReason(ipv4: Array(b[12..<16]))  // 64:ff9b::/96, NAT64
        }
        if b[0] == 0x20 && b[1] == 0x02 { return blockedReason(ipv4: Array(b[2..<6])) }  // 2002::/16, 6to4
        if b[0] & 0xFE == 0xFC { return "private" }  // fc00::/7 (includes fd00:ec2::254)
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return "link-local" }  // fe80::/10
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return "site-local" }  // fec0::/10, deprecated
        if b[0] == 0xFF { return "multicast" }
        return nil
    }

    /// Dotted-quad IPv4 only (no shorthand forms; those are refused by URL validation anyway).
    public static func parseIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let v = UInt8(part) else { return nil }
            out.append(v)
        }
        return out
    }

    /// RFC 4291 text form, with `::` compression and an optional trailing dotted quad.
    public static func parseIPv6(_ raw: String) -> [UInt8]? {
        let text = raw.split(separator: "%", maxSplits: 1).first.map(String.init) ?? raw  // zone id
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String) -> [UInt16]? {
            if s.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains("."), let v4 = parseIPv4(String(piece)) {
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                } else {
                    guard (1...4).contains(piece.count), let v = UInt16(piece, radix: 16) else { return nil }
                    result.append(v)
                }
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}
