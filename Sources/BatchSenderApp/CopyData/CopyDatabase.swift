import BatchSenderPostgres
import BatchSenderSQLite
import BatchSenderStore
import Foundation
import Logging

/// One side of a copy, open and migrated.
enum CopyDatabase: Sendable {
    case sqlite(SQLiteStore, path: String)
    case postgres(PostgresStore)

    /// Which side a database is on, for messages.
    enum Side: String, Sendable {
        case source, target
    }

    /// Opens `location`, migrates it to this binary's schema and runs `body`, refusing a database
    /// that a newer version has migrated.
    ///
    /// SQLite: the source must exist; the serve lock (`ServeLock`) is held for the whole copy, so
    /// no server starts on either file meanwhile (and one that runs is refused). PostgreSQL: the
    /// pool (of one connection) runs around `body`; see `refuseIfInUse` for servers.
    static func with<T: Sendable>(
        _ location: CopyLocation, side: Side, logger: Logger, _ body: (CopyDatabase) async throws -> T
    ) async throws -> T {
        switch location {
        case .sqlite(let path):
            if side == .source, !FileManager.default.fileExists(atPath: path) {
                throw ConfigError("--from: no SQLite database at \(path)")
            }
            let lock: ServeLock
            do {
                lock = try ServeLock(databasePath: path)
            } catch let error as ConfigError where error.description.hasPrefix("another batchsender serve") {
                throw ConfigError("a batchsender server is using the \(side) \(path): stop it before copying")
            }
            defer { withExtendedLifetime(lock) {} }
            let store = try await BatchSender.openSQLite(path: path, logger: logger)
            let unknown = try await store.unknownMigrations()
            guard unknown.isEmpty else { throw newerSchema(side, location, unknown.joined(separator: ", ")) }
            return try await body(.sqlite(store, path: path))
        case .postgres(let configuration):
            let config = AppConfig(database: .postgres(configuration))
            return try await BatchSender.withStore(config, logger: logger) { store in
                guard let store = store as? PostgresStore else { throw CopyDataError("expected a PostgreSQL store") }
                let known = Set(PostgresStore.knownMigrationVersions)
                let unknown = try await store.appliedMigrations().filter { !known.contains($0) }
                guard unknown.isEmpty else { throw newerSchema(side, location, unknown.map(String.init).joined(separator: ", ")) }
                return try await body(.postgres(store))
            }
        }
    }

    private static func newerSchema(_ side: Side, _ location: CopyLocation, _ versions: String) -> ConfigError {
        ConfigError("the \(side) \(location) has migrations this batchsender does not know (\(versions)): copy with the version that wrote them")
    }

    /// Refuses a PostgreSQL database that other BatchSender processes are connected to: copying
    /// from one that still delivers would lose what it does next; copying into one would write
    /// under a running server. (SQLite's serve lock already refused that when the file opened.)
    func refuseIfInUse(side: Side, _ location: CopyLocation) async throws {
        guard case .postgres(let store) = self else { return }
        let others = try await store.otherSessions()
        guard others == 0 else {
            throw ConfigError(
                "the \(side) \(location) is in use by \(others) other batchsender session(s): stop every server using it before copying")
        }
    }

    /// The same database, whatever URL reached it.
    func identity() async throws -> String {
        switch self {
        case .sqlite(_, let path): CopyLocation.fileIdentity(path) ?? "sqlite:\(path)"
        case .postgres(let store): try await store.databaseIdentity()
        }
    }

    /// Runs `body` with a reader of one snapshot of the database.
    func withReader<T: Sendable>(_ body: (any CopyReader) async throws -> T) async throws -> T {
        switch self {
        case .sqlite(let store, _): try await body(try store.copyReader())
        case .postgres(let store): try await store.withCopyReader { reader in try await body(reader) }
        }
    }

    var writer: any CopyWriter {
        switch self {
        case .sqlite(let store, _): store.copyWriter()
        case .postgres(let store): store.copyWriter()
        }
    }
}
