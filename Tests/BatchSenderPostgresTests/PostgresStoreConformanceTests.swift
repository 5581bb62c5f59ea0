import BatchSenderPostgres
import BatchSenderTesting
import Testing

/// Which store conformance cases run on PostgreSQL: every case of `StoreConformance.names`
/// except those that need provider events (`EventStore`), which come with the next increment of
/// the driver. Then `awaitingEvents` empties and the test runs `StoreConformance.names`, as
/// for SQLite. New cases of the suite run here automatically.
enum PostgresConformance {
    /// The cases that call `recordEvents`, which still throws `notImplemented`.
    static let awaitingEvents: Set<String> = [
        "events move recipients and counts, and duplicates are ignored",
        "hard bounces and complaints suppress the address in the workspace",
        "an out-of-order event is recorded but does not move the recipient back",
        "an event before the send's outcome waits and applies when the outcome is recorded",
        "pending events that never matched are pruned, matched ones kept",
        "events match only recipients of the send config's own batches",
        "opens and clicks are recorded and counted once per recipient",
        "a recipient key finds its recipient whatever the message id",
        "an event for a recipient in flight waits for the call's outcome",
        "a retry clears the old message id, so the old message's events move nothing",
    ]

    /// The cases run: workspaces and API keys, send configs, batches, uploads, lifecycle
    /// commands, suppressions, idempotency keys, health, the delivery queue, the safety net and
    /// the failure cases without events.
    static let names = StoreConformance.names.filter { !awaitingEvents.contains($0) }
}

@Test("every case left for the next increment exists in the suite")
func postgresConformanceExclusionsExist() {
    #expect(PostgresConformance.awaitingEvents.subtracting(StoreConformance.names) == [])
    #expect(PostgresConformance.names.count == StoreConformance.names.count - PostgresConformance.awaitingEvents.count)
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
