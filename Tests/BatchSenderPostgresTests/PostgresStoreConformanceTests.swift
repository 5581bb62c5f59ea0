import BatchSenderPostgres
import BatchSenderTesting
import Testing

/// The conformance cases `PostgresStore` implements so far: workspaces and API keys, send
/// configs, batches, uploads and lifecycle commands, suppressions, idempotency keys and health.
///
/// The rest of `StoreConformance.names` (the delivery queue, the safety net, provider events,
/// failures, and the lifecycle case that claims) come with the next increment of the driver,
/// which implements `DeliveryQueue` and `EventStore`; then this list becomes
/// `StoreConformance.names`, as for SQLite.
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
        // Send configs.
        "send config round trip and update",
        "send configs are isolated by workspace",
        "send configs page newest first",
        "delete send config: absent, in use, finished batches",
        "unused send config can be deleted",
        // Batches and recipients.
        "createBatch stores dupes once and suppressed as suppressed",
        "createBatch without recipients and with an unknown send config",
        "batches are isolated by workspace",
        "batches page newest first with filters",
        "recipients page in insertion order with a status filter",
        // Uploads.
        "addRecipients adds chunks, counts dupes across chunks and calls",
        "addRecipients: a throwing stream stores nothing",
        "addRecipients: limit exceeded stores nothing, duplicates do not count",
        "addRecipients: only to a draft",
        "addRecipients: batch sent during the upload is a conflict at commit",
        "addRecipients: empty stream adds nothing",
        // Lifecycle commands ("retry re-opens a finished batch as queued; …" claims: next increment).
        "send queues pending recipients and moves counts",
        "send of an empty batch is unprocessable",
        "send with a future scheduledAt schedules; pause and resume keep it scheduled",
        "pause and resume a queued batch",
        "cancel moves pending and queued to cancelled and completes",
        "retry re-queues exactly the named statuses",
        "send completes a batch whose recipients are all suppressed",
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
