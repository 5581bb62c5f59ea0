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
/// Implemented: workspaces, API keys, send configs, batches and recipients, suppressions,
/// idempotency keys, health and the delivery queue (claims with `SKIP LOCKED`, set-based
/// completions, rescues, schedules, the safety net, leader leases). Provider events still throw
/// `PostgresStoreError.notImplemented`.
public final class PostgresStore: StoreHealth {
    /// The connection pool; a `Service`.
    public let client: PostgresClient
    public let configuration: PostgresConfiguration
    let logger: Logger

    /// A store on `configuration`; connects lazily once the pool runs.
    public init(configuration: PostgresConfiguration, logger: Logger = Logger(label: "batchsender.postgres"))
        throws(PostgresConfigurationError)
    {
        self.configuration = configuration
        self.logger = logger
        client = PostgresClient(configuration: try configuration.clientConfiguration(), backgroundLogger: logger)
    }

    /// Runs the pool until the calling task is cancelled.
    public func run() async {
        await client.run()
    }

    /// Throws `PostgresStoreError.notMigrated` unless the database answers and every migration
    /// is applied.
    public func checkReady() async throws {
        guard try await currentVersion() >= PostgresMigration.latestVersion else { throw PostgresStoreError.notMigrated }
    }
}
