import BatchSenderCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One IP address a host name resolved to, as raw bytes (4 for IPv4, 16 for IPv6).
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses a literal IPv4 or IPv6 address (brackets allowed); `nil` for a name.
    public init?(literal raw: String) {
        var text = raw
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let v4 = NetworkGuard.parseIPv4(text) {
            self = .v4(v4)
        } else if let v6 = NetworkGuard.parseIPv6(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// Why a delivery must not reach this address, or `nil` when it is public (see `NetworkGuard`).
    public var blockedReason: String? {
        switch self {
        case .v4(let bytes): NetworkGuard.blockedReason(ipv4: bytes)
        case .v6(let bytes): NetworkGuard.blockedReason(ipv6: bytes)
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
}

/// Resolves host names to every address they have. Behind a protocol so tests can inject names
/// that resolve to chosen (private or public) addresses without touching DNS.
public protocol HostResolver: Sendable {
    /// All addresses of `host` (a name, never a literal IP). Throws `HostResolutionError` when the
    /// name does not resolve.
    func addresses(of host: String) async throws -> [IPAddress]
}

/// A name that did not resolve (NXDOMAIN, no DNS server reachable, …).
public struct HostResolutionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var message: String

    public init(host: String, message: String) {
        self.host = host
        self.message = message
    }

    public var description: String { "DNS lookup of \(host) failed: \(message)" }
}

/// The system resolver: `getaddrinfo`, run on NIO's shared blocking-I/O thread pool so a slow DNS
/// server never blocks an event loop or a Swift concurrency thread. This is the same lookup the
/// HTTP client performs when it connects (AsyncHTTPClient's default `DNSResolver.system`).
public struct SystemHostResolver: HostResolver {
    let threadPool: NIOThreadPool

    public init(threadPool: NIOThreadPool = .singleton) {
        self.threadPool = threadPool
    }

    public func addresses(of host: String) async throws -> [IPAddress] {
        try await threadPool.runIfActive { try Self.getaddrinfoBlocking(host) }
    }

    /// Blocking; call on a thread pool only.
    static func getaddrinfoBlocking(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw HostResolutionError(host: host, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var result: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = Self.address(info.pointee), !result.contains(address) { result.append(address) }
            cursor = info.pointee.ai_next
        }
        guard !result.isEmpty else { throw HostResolutionError(host: host, message: "no addresses") }
        return result
    }

    private static func address(_ info: addrinfo) -> IPAddress? {
        guard let raw = info.ai_addr else { return nil }
        switch info.ai_family {
        case AF_INET:
            return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var addr = pointer.pointee.sin_addr
                return .v4(withUnsafeBytes(of: &addr) { Array($0) })
            }
        case AF_INET6:
            return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var addr = pointer.pointee.sin6_addr
                return .v6(withUnsafeBytes(of: &addr) { Array($0) })
            }
        default:
            return nil
        }
    }
}
