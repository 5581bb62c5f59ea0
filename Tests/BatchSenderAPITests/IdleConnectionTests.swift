import BatchSenderApp
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Connections that send nothing, or never finish their headers, are closed by the server
/// (they used to stay open forever and could take every file descriptor).
@Suite(.timeLimit(.minutes(1))) struct IdleConnectionTests {
    /// Connects to 127.0.0.1:`port`, sends `bytes`, then reads until the server closes the
    /// connection; returns what was read, or `nil` if the connection was still open after 20 s.
    /// Runs on its own thread: the reads block.
    static func readUntilClosed(port: Int, sending bytes: [UInt8]) async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: blockingReadUntilClosed(port: port, sending: bytes))
            }
        }
    }

    private static func blockingReadUntilClosed(port: Int, sending bytes: [UInt8]) -> [UInt8]? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        if !bytes.isEmpty { _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return received }  // closed by the server
            if count < 0 { return nil }  // timed out: still open
            received += buffer[0..<count]
        }
    }

    @Test func idleAndHeaderlessConnectionsAreClosed() async throws {
        let router = Router()
        router.get("/ping") { _, _ in "pong" }
        let limits = HTTPServerLimits(idleTimeout: .milliseconds(300), maxConnections: 8)
        let app = Application(
            router: router, server: limits.server,
            configuration: limits.configuration(address: .hostname("127.0.0.1", port: 0), serverName: "test"))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            #expect(await Self.readUntilClosed(port: port, sending: []) == [], "a silent connection")
            #expect(
                await Self.readUntilClosed(port: port, sending: Array("GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)) == [],
                "a connection whose headers never end")
            let answered = await Self.readUntilClosed(port: port, sending: Array("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let text = try #require(answered.map { String(decoding: $0, as: UTF8.self) }, "a kept-alive connection after its answer")
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(text.hasSuffix("pong"))
        }
    }
}
