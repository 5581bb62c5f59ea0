import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on 127.0.0.1 that a test places between the binary and its PostgreSQL, to stage
/// an outage without stopping the shared test cluster: `cut()` drops every connection and
/// refuses new ones (they are accepted and closed at once, as a restarting server does),
/// `restore()` forwards again. Blocking sockets, one thread per direction: a handful of pooled
/// connections, for the length of one test.
final class TCPProxy: @unchecked Sendable {
    /// The port the proxy listens on.
    let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var isCut = false
    private var isStopped = false
    /// Both ends of every open connection, to cut them.
    private var open: [ObjectIdentifier: Link] = [:]

    /// One proxied connection: the client's socket and ours to the server.
    private final class Link: @unchecked Sendable {
        let client: Int32
        let server: Int32
        private let lock = NSLock()
        private var pumps = 2

        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }

        /// Ends both directions; blocked reads return at once.
        func shutDown() {
            _ = Glibc.shutdown(client, Int32(SHUT_RDWR))
            _ = Glibc.shutdown(server, Int32(SHUT_RDWR))
        }

        /// Called by each pump as it ends; true for the last one, which closes the sockets.
        func pumpEnded() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            pumps -= 1
            return pumps == 0
        }
    }

    struct SocketError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts forwarding 127.0.0.1:`port` (an ephemeral port) to 127.0.0.1:`upstreamPort`.
    init(forwardingTo upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(description: "socket: errno \(errno)") }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw SocketError(description: "bind/listen: errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Drops every connection and refuses new ones until `restore()`.
    func cut() {
        // Under the lock: a link's sockets are closed (and their numbers reused) only under it too.
        lock.withLock {
            isCut = true
            for link in open.values { link.shutDown() }
        }
    }

    /// Forwards new connections again.
    func restore() {
        lock.withLock { isCut = false }
    }

    /// Stops listening and drops every connection.
    func stop() {
        cut()
        let first = lock.withLock {
            defer { isStopped = true }
            return !isStopped
        }
        // Wakes the blocked accept (Linux returns EINVAL from it); the accept loop closes it.
        if first { _ = Glibc.shutdown(listener, Int32(SHUT_RDWR)) }
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            let (stopped, refusing) = lock.withLock { (isStopped, isCut) }
            if stopped {
                if client >= 0 { close(client) }
                close(listener)
                return
            }
            guard client >= 0 else { continue }
            guard !refusing, let server = connectUpstream() else {
                close(client)
                continue
            }
            let link = Link(client: client, server: server)
            let key = ObjectIdentifier(link)
            let admitted = lock.withLock { () -> Bool in
                guard !isCut else { return false }
                open[key] = link
                return true
            }
            guard admitted else {
                close(client)
                close(server)
                continue
            }
            for (from, to) in [(client, server), (server, client)] {
                Thread { [self] in
                    Self.pump(from: from, to: to)
                    lock.withLock {
                        link.shutDown()
                        guard link.pumpEnded() else { return }
                        open.removeValue(forKey: key)
                        close(link.client)
                        close(link.server)
                    }
                }.start()
            }
        }
    }

    private func connectUpstream() -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Copies bytes until either side ends.
    private static func pump(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            var sent = 0
            while sent < count {
                // MSG_NOSIGNAL: a peer that is gone is an error here, not a SIGPIPE for the test process.
                let written = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { return }
                sent += written
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}
