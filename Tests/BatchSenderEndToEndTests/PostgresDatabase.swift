import BatchSenderPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// A fresh, empty PostgreSQL database per test, made on the server of
/// `BATCHSENDER_TEST_DATABASE_URL` (which `scripts/test` sets; its role may create databases).
enum PostgresDatabase {
    static let serverURL = ProcessInfo.processInfo.environment["BATCHSENDER_TEST_DATABASE_URL"]
        .flatMap { $0.isEmpty ? nil : $0 }

    static var isConfigured: Bool { serverURL != nil }

    static let skipReason: Comment = "BATCHSENDER_TEST_DATABASE_URL is not set (scripts/test starts a PostgreSQL and sets it)"

    /// A master key for the processes of one test.
    static let masterKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    /// Creates a database with a random name and returns its URL (left behind: it dies with the
    /// test cluster).
    static func create() async throws -> String {
        guard let serverURL else { throw DatabaseMissing() }
        let name = "e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await withConnection(serverURL) { connection, logger in
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var components = serverURL.split(separator: "?", maxSplits: 1).map(String.init)
        let base = components.removeFirst()
        let prefix = base[..<(base.lastIndex(of: "/") ?? base.endIndex)]
        return "\(prefix)/\(name)?sslmode=disable"
    }

    /// Runs `body` on a plain connection to the database at `url` (not through any proxy a
    /// test put in front), closed afterwards.
    static func withConnection<T: Sendable>(
        _ url: String, _ body: (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let database = try PostgresConfiguration(url: url)
        let logger = Logger(label: "e2e.postgres")
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: database.host, port: database.port, username: database.username, password: database.password,
                database: database.database, tls: .disable),
            id: 1, logger: logger)
        do {
            let result = try await body(connection, logger)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    struct DatabaseMissing: Error {}
}
