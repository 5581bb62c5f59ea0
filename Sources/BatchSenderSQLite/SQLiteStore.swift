import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

/// The embedded `DataStore`: one SQLite file in WAL mode behind one GRDB `DatabasePool`.
///
/// Open one store per process and share it: the pool serializes writers and runs readers
/// concurrently with them. Every state change that matters is one write transaction (DESIGN §1);
/// GRDB's async `read`/`write` run the SQL on its own dispatch queues, off the cooperative pool.
/// Dates are stored as REAL unix seconds.
public final class SQLiteStore: DataStore {
    /// The GRDB pool; exposed for the driver's other components (dispatcher, maintenance).
    public let pool: DatabasePool
    /// Told when a batch's maintained counts disagreed with its recipient rows and were
    /// recomputed. Should never fire; the composition root logs it.
    let onCountDrift: (@Sendable (Batch.ID) -> Void)?

    /// Opens (creating if needed) the database at `path` without migrating it.
    ///
    /// - Parameters:
    ///   - busyTimeout: how long a writer waits for another process's write lock (e.g.
    ///     `batchsender keys create` while a server runs) before failing.
    ///   - onCountDrift: called when maintained counts had drifted from the rows (see above).
    public init(
        path: String, busyTimeout: TimeInterval = 10, onCountDrift: (@Sendable (Batch.ID) -> Void)? = nil
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "batchsender"
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL is durable against process crashes (kill -9), the
            // failure the delivery contract is about; only an OS crash may lose the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // File-backed temp store: large staged uploads spill to disk rather than memory.
            try db.execute(sql: "PRAGMA temp_store = FILE")
            try db.execute(sql: "PRAGMA temp.cache_size = -16000")
            try db.execute(sql: "PRAGMA cache_size = -32000")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        self.onCountDrift = onCountDrift
    }

    /// Opens the database at `path` and applies pending migrations: what `serve` does.
    public static func open(path: String) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: path)
        try await store.migrate()
        return store
    }

    /// Applies every pending migration (`batchsender migrate`); a no-op when up to date.
    public func migrate() async throws {
        let migrator = Self.migrator
        let pool = self.pool
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            migrator.asyncMigrate(pool) { result in
                continuation.resume(with: result.map { _ in () })
            }
        }
    }

    /// The identifiers of the migrations applied to this database, in order.
    public func appliedMigrations() async throws -> [String] {
        let migrator = Self.migrator
        return try await pool.read { db in try migrator.appliedMigrations(db) }
    }

    public func checkReady() async throws {
        let migrator = Self.migrator
        let complete = try await pool.read { db in
            try db.execute(sql: "SELECT 1")
            return try migrator.hasCompletedMigrations(db)
        }
        guard complete else { throw SQLiteStoreError.notMigrated }
    }

    /// Deletes recipients staged by uploads that started before `date` and never finished
    /// (only possible when an upload's cleanup itself failed; a restart clears them too).
    /// Returns how many uploads were removed.
    public func purgeAbandonedUploads(startedBefore date: Date) async throws -> Int {
        try await pool.write { db in try UploadStaging.purge(startedBefore: date, db) }
    }
}

extension SQLiteStore {
    /// How many recipients are staged by unfinished uploads (diagnostics and tests).
    public func stagedRecipientCount() async throws -> Int {
        // The staging tables are TEMP tables of the writer connection: ask the writer.
        try await pool.write { db in try UploadStaging.stagedCount(db) }
    }

    /// The database's journal mode, e.g. `wal` (diagnostics and tests).
    public func journalMode() async throws -> String {
        try await read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}
