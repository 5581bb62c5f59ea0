import BatchSenderSQLite
import BatchSenderStore
import BatchSenderTesting
import Testing

/// The store conformance suite against `SQLiteStore`, a fresh file per case.
@Test("SQLiteStore conformance", arguments: StoreConformance.names)
func sqliteConformance(_ name: String) async throws {
    let database = try TemporaryDatabase()
    try await StoreConformance.run(name) { try await database.store() }
    withExtendedLifetime(database) {}
}
