import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL

/// How long the HTTP server keeps a connection that does nothing, and how many it holds.
public struct HTTPServerLimits: Sendable {
    /// A connection is closed once it has been this long without a request in progress or bytes
    /// of one arriving: idle keep-alive connections, and (since Hummingbird's timer runs until a
    /// request head is decoded) connections whose headers do not arrive, or whose body stalls.
    /// Hummingbird has no separate header-read timeout; this one is it.
    public var idleTimeout: Duration
    /// Most open connections. Beyond it the server stops accepting and new ones wait in the
    /// listen backlog, so a flood of connections cannot take every file descriptor the database
    /// and outbound deliveries need (the common soft limit is 1,024).
    public var maxConnections: Int

    public init(idleTimeout: Duration = .seconds(30), maxConnections: Int = 512) {
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// The HTTP/1.1 server with the idle (and header-read) timeout.
    public var server: HTTPServerBuilder {
        .http1(configuration: .init(idleTimeout: TimeAmount(idleTimeout)))
    }

    /// HTTPS when `tls` is given: HTTP/1.1 and HTTP/2 negotiated by ALPN, with the same idle
    /// timeout for HTTP/1.1 connections, HTTP/2 connections without open streams, and streams.
    public func server(tls: TLSConfiguration?) throws -> HTTPServerBuilder {
        guard let tls else { return server }
        let streams = HTTP1Channel.Configuration(idleTimeout: TimeAmount(idleTimeout))
        return try .http2Upgrade(
            tlsConfiguration: tls, configuration: .init(idleTimeout: idleTimeout, streamConfiguration: streams))
    }

    /// The application configuration for `address`, with the connection cap.
    public func configuration(
        address: BindAddress, serverName: String, logger: Logger = Logger(label: "batchsender.http")
    ) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: address, serverName: serverName, availableConnectionsDelegate: .maximum(maxConnections, logger: logger))
    }
}
