import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One IP address as raw bytes (4 for IPv4, 16 for IPv6).
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// A literal IPv4 or IPv6 address (brackets and a trailing dot allowed), read the way the
    /// system reads it — `getaddrinfo` with `AI_NUMERICHOST`, which never touches DNS — so the
    /// guard judges exactly the address a connection would reach. `nil` for a name, and for any
    /// IPv4 spelling other than the canonical dotted quad: `getaddrinfo` follows `inet_aton`,
    /// which reads `012` as octal 10, `0x7f` as hex and `127.1` as 127.0.0.1, while URL parsers
    /// and people read them differently (WHATWG URL §3.5 "IPv4 parser"); such hosts are refused
    /// by `NetworkGuard` before they get here.
    public init?(literal raw: String) {
        var text = raw
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.hasSuffix(".") { text.removeLast() }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        guard let address = Self.numericHost(text) else { return nil }
        if case .v4 = address, address.description != text { return nil }  // only the canonical spelling
        self = address
    }

    /// The IPv4 address an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`)
    /// or IPv4-compatible (`::a.b.c.d`, deprecated by RFC 4291 §2.5.5.1) IPv6 address carries.
    public var embeddedIPv4: [UInt8]? {
        guard case .v6(let b) = self else { return nil }
        let zeros = b[0..<8].allSatisfy { $0 == 0 }
        guard zeros else { return nil }
        switch (b[8], b[9], b[10], b[11]) {
        case (0, 0, 0xFF, 0xFF), (0xFF, 0xFF, 0, 0), (0, 0, 0, 0): return Array(b[12..<16])
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .v4(let b): return b.map(String.init).joined(separator: ".")
        case .v6(let b):
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        }
    }

    /// `getaddrinfo(text, AI_NUMERICHOST)`: the address the system would connect to for this
    /// literal, or `nil` when the system does not read it as a literal.
    static func numericHost(_ text: String) -> IPAddress? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_NUMERICHOST
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(text, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        return IPAddress(addrinfo: first.pointee)
    }

    /// The address of one `getaddrinfo` result (IPv4 or IPv6 only).
    public init?(addrinfo info: addrinfo) {
        guard let raw = info.ai_addr else { return nil }
        switch info.ai_family {
        case AF_INET:
            self = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var addr = pointer.pointee.sin_addr
                return .v4(withUnsafeBytes(of: &addr) { Array($0) })
            }
        case AF_INET6:
            self = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var addr = pointer.pointee.sin6_addr
                return .v6(withUnsafeBytes(of: &addr) { Array($0) })
            }
        default:
            return nil
        }
    }
}
