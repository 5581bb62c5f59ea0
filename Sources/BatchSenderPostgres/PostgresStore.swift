import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

/// The PostgreSQL store: a postgres-nio `PostgresClient` pool, shared by everything in a process.
///
/// The pool works only while it runs: add `client` (a swift-service-lifecycle `Service`) to the
/// process's `ServiceGroup`, or call `run()` in a task that lives as long as the store is used.
/// Then `migrate()` once (safe to call from several processes at once). Every state change is
/// one transaction (DESIGN §1).
///
/// Every store protocol is implemented and passes the store conformance suite. Lock order, the
/// rule that keeps concurrent writers exact and deadlock-free: message ids (advisory locks), then
/// batch rows in id order, then recipient rows (see `PostgresStore+BatchLocks.swift`).
public final class PostgresStore: StoreHealth {
    /// The connection pool; a `Service`.
    public let client: PostgresClient
    public let configuration: PostgresConfiguration
    let logger: Logger
    /// How long `checkReady` waits for the database before reporting it unreachable.
    let readinessTimeout: Duration
    /// How long a statement waits for a pooled connection before `StoreUnavailable`, while the
    /// database has been failing…
    let connectionTimeout: Duration
    /// …and while it has been answering (a busy pool's queue, a loaded machine's first connection).
    let busyConnectionTimeout: Duration
    /// Whether the database has been failing lately: picks the timeout above.
    let reachability = DatabaseReachability()

    /// A store on `configuration`; connects lazily once the pool runs.
    ///
    /// - Parameter readinessTimeout: the longest `checkReady` waits. The pool itself keeps
    ///   retrying an unreachable server for much longer, which `/ready` must not wait for.
    /// - Parameter connectionTimeout: the longest an operation waits for a pooled connection
    ///   while the database has been failing (a lost connection, a timed-out lease or readiness
    ///   check) before it fails with `StoreUnavailable`: an API request then answers 503 instead
    ///   of hanging while the pool retries.
    /// - Parameter busyConnectionTimeout: the same while the database has been answering, when
    ///   a slow lease more likely means a busy pool or machine than an outage.
    public init(
        configuration: PostgresConfiguration, readinessTimeout: Duration = .seconds(2),
        connectionTimeout: Duration = .seconds(5), busyConnectionTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "batchsender.postgres")
    ) throws(PostgresConfigurationError) {
        self.configuration = configuration
        self.readinessTimeout = readinessTimeout
        self.connectionTimeout = connectionTimeout
        self.busyConnectionTimeout = busyConnectionTimeout
        self.logger = logger
        client = PostgresClient(configuration: try configuration.clientConfiguration(), backgroundLogger: logger)
    }

    /// Runs the pool until the calling task is cancelled.
    public func run() async {
        await client.run()
    }

    /// Throws `PostgresStoreError.unreachable` unless the database answers within the readiness
    /// timeout, and `notMigrated` unless every migration is applied.
    public func checkReady() async throws {
        let timeout = readinessTimeout
        let version = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                do {
                    return try await self.currentVersion()
                } catch is StoreUnavailable {
                    throw PostgresStoreError.unreachable
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            // The loser is cancelled; a pending connection lease honours cancellation.
            defer { group.cancelAll() }
            guard let first = try await group.next(), let version = first else {
                reachability.lost()
                throw PostgresStoreError.unreachable
            }
            return version
        }
        guard version >= PostgresMigration.latestVersion else { throw PostgresStoreError.notMigrated }
    }
}
