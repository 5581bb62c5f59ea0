import BatchSenderPostgres
import Foundation
import PostgresNIO
import Testing

/// The PostgreSQL the database tests use: `BATCHSENDER_TEST_DATABASE_URL`, which `scripts/test`
/// sets after starting a private server. Without it those tests are skipped, saying why.
enum TestDatabase {
    static let url = ProcessInfo.processInfo.environment["BATCHSENDER_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static var isConfigured: Bool { url != nil }

    /// The CA that signed the test server's certificate (for 127.0.0.1 and localhost), when
    /// `scripts/test` made one; the sslmode tests need it.
    static let certificateAuthority = ProcessInfo.processInfo.environment["BATCHSENDER_TEST_DATABASE_CA"]
        .flatMap { $0.isEmpty ? nil : $0 }

    static var hasTLS: Bool { isConfigured && certificateAuthority != nil }

    static let noTLSReason: Comment =
        "BATCHSENDER_TEST_DATABASE_URL or BATCHSENDER_TEST_DATABASE_CA is not set (scripts/test sets both)"

    static let skipReason: Comment = "BATCHSENDER_TEST_DATABASE_URL is not set (scripts/test starts a PostgreSQL and sets it)"

    /// A configuration for a schema no other test uses, so cases are independent and run in parallel.
    static func freshConfiguration() throws -> PostgresConfiguration {
        guard let url else { throw TestDatabaseMissing() }
        var configuration = try PostgresConfiguration(url: url)
        configuration.schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        // Small pools: many cases run at once against one server.
        configuration.maximumConnections = 4
        return configuration
    }

    /// Runs `body` with a running store on `configuration`; the pool stops when it returns.
    static func withRunningStore<T: Sendable>(
        _ configuration: PostgresConfiguration, readinessTimeout: Duration = .seconds(2),
        _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let store = try PostgresStore(configuration: configuration, readinessTimeout: readinessTimeout)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    /// Runs `body` with a migrated store in a fresh schema, dropped afterwards.
    static func withStore<T: Sendable>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        try await withRunningStore(try freshConfiguration()) { store in
            do {
                try await store.migrate()
                let value = try await body(store)
                try await dropSchema(of: store)
                return value
            } catch {
                // Keep the test's own failure; a schema left behind dies with the test cluster.
                try? await dropSchema(of: store)
                throw error
            }
        }
    }

    static func dropSchema(of store: PostgresStore) async throws {
        guard let schema = store.configuration.schema else { return }
        try await store.client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
    }
}

struct TestDatabaseMissing: Error {}
