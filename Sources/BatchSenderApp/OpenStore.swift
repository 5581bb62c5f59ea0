import BatchSenderPostgres
import BatchSenderSQLite
import BatchSenderStore
import Foundation
import Logging

extension BatchSender {
    /// How long a command waits for PostgreSQL to answer its first query (the migrations) before
    /// it gives up with one clear line. The pool itself would keep retrying for much longer.
    static let postgresConnectTimeout: Duration = .seconds(10)

    /// Opens (creating it private to the user) and migrates the SQLite database at `path`.
    public static func openSQLite(path: String, logger: Logger? = nil) async throws -> SQLiteStore {
        try DatabaseFiles.restrict(databasePath: path)
        let store = try SQLiteStore(path: path) { batch in
            logger?.critical("batch counts had drifted from its recipients and were recomputed", metadata: ["batch.id": "\(batch)"])
        }
        try await store.migrate()
        return store
    }

    /// Runs `body` with the configured store open and migrated. On PostgreSQL the connection pool
    /// runs in a task around `body` — started before the first query, since postgres-nio only
    /// serves queries while `run()` runs — and stops when `body` returns.
    public static func withStore<T: Sendable>(
        _ config: AppConfig, logger: Logger, _ body: (any DataStore) async throws -> T
    ) async throws -> T {
        switch config.database {
        case .sqlite(let path):
            return try await body(try await openSQLite(path: path, logger: logger))
        case .postgres(let configuration):
            let store: PostgresStore
            do {
                // The pool logs every failed connection attempt at info; a command that cannot reach
                // the server should say so in one line (below), not in one line per retry.
                var poolLogger = logger
                if poolLogger.logLevel > .debug { poolLogger.logLevel = max(poolLogger.logLevel, .warning) }
                store = try PostgresStore(configuration: configuration, logger: poolLogger)
            } catch {
                throw ConfigError("\(AppConfig.Setting.databaseURL.rawValue): \(error.description)")
            }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                defer { group.cancelAll() }
                try await migrate(store)
                return try await body(store)
            }
        }
    }

    /// Migrates, failing fast with one line when the server does not answer or refuses us.
    static func migrate(_ store: PostgresStore) async throws {
        let limit = postgresConnectTimeout
        let target = store.configuration.description
        let migrated: Bool
        do {
            migrated = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    _ = try await store.migrate()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return false
                }
                // The loser is cancelled; a pending connection lease honours cancellation.
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
        } catch let error as StoreUnavailable {
            throw ConfigError("cannot reach PostgreSQL at \(target): \(error.reason)")
        } catch {
            let reason = String(reflecting: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            throw ConfigError("cannot migrate the PostgreSQL database \(target): \(reason)")
        }
        guard migrated else {
            throw ConfigError("cannot reach PostgreSQL at \(target) within \(limit.components.seconds) s")
        }
    }
}
