// swift-tools-version:6.1
import PackageDescription

/// Settings every target of ours shares: Swift 6 mode with strict concurrency.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "batchsender",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "batchsender", targets: ["batchsender"]),
        // For the separate Benchmarks package.
        .library(
            name: "BatchSenderKit",
            targets: ["BatchSenderCore", "BatchSenderStore", "BatchSenderSQLite", "BatchSenderDelivery"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // bcrypt for dashboard users' passwords (HummingbirdBcrypt only).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    ],
    targets: [
        // Domain: Foundation only, no I/O.
        .target(name: "BatchSenderCore", swiftSettings: strict),
        // Store protocols and the in-memory store.
        .target(name: "BatchSenderStore", dependencies: ["BatchSenderCore"], swiftSettings: strict),
        // The embedded SQLite driver.
        .target(
            name: "BatchSenderSQLite",
            dependencies: [
                "BatchSenderStore", .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API, for binding bulk-insert parameters without per-row allocations.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // The PostgreSQL driver (first increment: not wired into the app yet).
        .target(
            name: "BatchSenderPostgres",
            dependencies: [
                "BatchSenderStore", .product(name: "PostgresNIO", package: "postgres-nio"),
                // The wake-up listener is a `Service`.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Secrets: credential encryption at rest, API key hashing and password hashing.
        .target(
            name: "BatchSenderSecrets",
            dependencies: [
                "BatchSenderCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: strict
        ),
        // Signature schemes of providers and webhooks, both directions (HMAC, Ed25519, RSA/X.509).
        .target(
            name: "BatchSenderSignatures",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict
        ),
        // Provider delivery events: verification per provider and parsing into domain events.
        .target(
            name: "BatchSenderEvents",
            dependencies: ["BatchSenderCore", "BatchSenderSignatures"],
            swiftSettings: strict
        ),
        // Delivery modules: payload validation and templating.
        .target(
            name: "BatchSenderDelivery",
            dependencies: ["BatchSenderCore", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: strict
        ),
        // Real provider clients, one folder per provider.
        .target(
            name: "BatchSenderProviders",
            dependencies: [
                "BatchSenderDelivery", "BatchSenderStore", "BatchSenderSignatures",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The delivery engine: dispatcher, runners, completion writer, maintenance.
        .target(
            name: "BatchSenderWorker",
            dependencies: [
                "BatchSenderStore", "BatchSenderDelivery",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The HTTP API.
        .target(
            name: "BatchSenderAPI",
            dependencies: [
                "BatchSenderStore", "BatchSenderDelivery", "BatchSenderSecrets", "BatchSenderEvents",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        // Composition root: configuration, store, services.
        .target(
            name: "BatchSenderApp",
            dependencies: [
                "BatchSenderAPI", "BatchSenderSQLite", "BatchSenderPostgres", "BatchSenderStore", "BatchSenderSecrets",
                "BatchSenderEvents",
                "BatchSenderSignatures",
                "BatchSenderWorker", "BatchSenderProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // The server's idle timeout and connection cap (HTTPServerLimits).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                // HTTPS: TLS with HTTP/1.1 and HTTP/2 by ALPN (ServerTLS, HTTPServerLimits).
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The executable: argument parsing only.
        .executableTarget(
            name: "batchsender",
            dependencies: [
                "BatchSenderApp", "BatchSenderCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Fixtures and the store conformance suite, shared by the drivers' tests.
        .target(name: "BatchSenderTesting", dependencies: ["BatchSenderStore"], swiftSettings: strict),

        // Fake HTTP peers for tests that cross the network (Hummingbird on 127.0.0.1).
        .target(
            name: "BatchSenderTestServers",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "BatchSenderCoreTests", dependencies: ["BatchSenderCore"], swiftSettings: strict),
        .testTarget(name: "BatchSenderDeliveryTests", dependencies: ["BatchSenderDelivery"], swiftSettings: strict),
        .testTarget(
            name: "BatchSenderEventsTests",
            dependencies: ["BatchSenderCore", "BatchSenderEvents", "BatchSenderSignatures", "BatchSenderTesting"],
            swiftSettings: strict),
        .testTarget(
            name: "BatchSenderStoreTests",
            dependencies: ["BatchSenderStore", "BatchSenderTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BatchSenderSQLiteTests",
            dependencies: ["BatchSenderSQLite", "BatchSenderTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BatchSenderPostgresTests",
            dependencies: ["BatchSenderPostgres", "BatchSenderTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BatchSenderAPITests",
            dependencies: [
                "BatchSenderApp", "BatchSenderTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BatchSenderWorkerTests",
            // SQLite too: the engine's failure paths are tested on the real driver as well.
            dependencies: ["BatchSenderWorker", "BatchSenderTesting", "BatchSenderSQLite"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BatchSenderProvidersTests",
            dependencies: [
                "BatchSenderProviders", "BatchSenderTesting", "BatchSenderTestServers", "BatchSenderWorker", "BatchSenderEvents",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // The real binary, run as a user runs it.
        .testTarget(
            name: "BatchSenderEndToEndTests",
            dependencies: [
                "BatchSenderTestServers", "BatchSenderTesting", "BatchSenderPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ], swiftSettings: strict),
    ]
)
