import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix

/// The HTTP client that delivery providers share.
public enum DeliveryHTTPClient {
    /// An `HTTPClient` configured for deliveries:
    /// - redirects are **not** followed: Standard Webhooks treats 3xx as failure, and following
    ///   one would let a public URL bounce the request past the SSRF guard;
    /// - a short connect timeout, so a dead host fails fast and feeds the circuit breaker;
    /// - no connection-establishment retries inside the client: the engine owns retries, with
    ///   backoff and attempt accounting;
    /// - up to `maxConnectionsPerHost` HTTP/1 connections per host, kept alive for reuse;
    /// - response decompression off: we read at most a few KiB of any answer.
    ///
    /// Create ONE per process and hand it to every provider. The composition root owns it and
    /// must call `try await client.shutdown()` after the last delivery finished (an HTTPClient
    /// that is never shut down reports a leak in its deinit).
    public static func makeHTTPClient(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: TimeAmount = .seconds(5),
        maxConnectionsPerHost: Int = 64,
        backgroundActivityLogger: Logger = Logger(label: "batchsender.http-client")
    ) -> HTTPClient {
        HTTPClient(
            eventLoopGroup: eventLoopGroup, configuration: configuration(
                connectTimeout: connectTimeout, maxConnectionsPerHost: maxConnectionsPerHost),
            backgroundActivityLogger: backgroundActivityLogger)
    }

    /// The configuration `makeHTTPClient` uses, for callers that need to adjust it (tests map
    /// names with `dnsOverride`).
    public static func configuration(
        connectTimeout: TimeAmount = .seconds(5), maxConnectionsPerHost: Int = 64
    ) -> HTTPClient.Configuration {
        var pool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnectionsPerHost))
        pool.retryConnectionEstablishment = false
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout),
            connectionPool: pool,
            decompression: .disabled)
        configuration.httpVersion = .automatic
        return configuration
    }
}
