import BatchSenderPostgres
import BatchSenderTesting
import Testing

/// The conformance cases `PostgresStore` implements so far: workspaces and API keys, send
/// configs, suppressions, idempotency keys and health.
///
/// The rest of `StoreConformance.names` (batches, uploads, lifecycle, the queue, the safety net,
/// events, failures, and the two send-config cases that create batches) come with the next
/// increment of the driver, which implements `BatchStore`, `DeliveryQueue` and `EventStore`;
/// then this list becomes `StoreConformance.names`, as for SQLite.
enum PostgresConformance {
    static let names = [
        // Workspaces and API keys.
        "bootstrap creates workspace and key once",
        "bootstrap after ensureWorkspace creates nothing",
        "concurrent bootstraps: exactly one wins",
        "ensureWorkspace returns the existing workspace with the slug",
        "api key lookup by hash, revoked keys included",
        "api keys are isolated by workspace",
        "api key insert checks workspace and unique secret",
        "api keys page newest first",
        // Send configs ("delete send config: absent, in use, finished batches" and "unused send
        // config can be deleted" need batches).
        "send config round trip and update",
        "send configs are isolated by workspace",
        "send configs page newest first",
        // Suppressions.
        "suppressions: add, existing entry unchanged, lookup, remove",
        "suppressions are isolated by workspace",
        "suppressions page by address",
        // Idempotency keys.
        "idempotency: claim, in progress, mismatch, complete, replay",
        "idempotency: release forgets an unfinished claim",
        "idempotency: expired records are replaced",
        "idempotency keys are isolated by workspace",
        "idempotency: purge deletes the records created before the date, finished or not",
        // Health.
        "checkReady succeeds on a ready store",
    ]
}

@Test("every listed conformance case exists in the suite")
func postgresConformanceNamesExist() {
    let known = Set(StoreConformance.names)
    #expect(PostgresConformance.names.filter { !known.contains($0) } == [])
}

/// The store conformance suite against `PostgresStore`, a fresh schema per case.
@Test(
    "PostgresStore conformance", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason),
    arguments: PostgresConformance.names)
func postgresConformance(_ name: String) async throws {
    try await TestDatabase.withStore { store in
        try await StoreConformance.run(name) { store }
    }
}
