import BatchSenderCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
/// server never blocks an event loop or a Swift concurrency thread. Its answer is the only one:
/// connections go to the address the guard approved (`PinnedClients`), never to a second lookup.
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
            if let address = IPAddress(addrinfo: info.pointee), !result.contains(address) { result.append(address) }
            cursor = info.pointee.ai_next
        }
        guard !result.isEmpty else { throw HostResolutionError(host: host, message: "no addresses") }
        return result
    }
}
