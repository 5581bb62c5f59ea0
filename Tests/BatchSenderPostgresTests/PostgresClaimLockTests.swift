import BatchSenderCore
import BatchSenderPostgres
import BatchSenderStore
import BatchSenderTesting
import Foundation
import Logging
import PostgresNIO
import Testing

/// A claim meets batches locked by completions, rescues and commands all the time on a busy
/// database; it must wait for them, not come back empty while work is due (which sent the runner
/// to sleep for a poll interval and held one process at 77 deliveries/s).
@Suite("PostgreSQL claims and locked batches", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct PostgresClaimLockTests {
    @Test("a claim waits for a batch another transaction holds, then claims its due recipients")
    func claimWaitsForALockedBatch() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let seed = try await f.seed(store)
            let draft = try await f.draft(store, seed, (0..<5).map { "r\($0)@example.com" })
            let batch = try await store.apply(.send, to: draft.id, in: seed.workspace.id, at: f.time(10))
            let (locked, lockTaken) = AsyncStream.makeStream(of: Void.self)
            let logger = Logger(label: "test")
            // Another writer holds the batch row (as a completion does) for a while.
            let holder = Task {
                try await store.client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    try await connection.query(
                        "SELECT id FROM batches WHERE id = \(batch.id.rawValue) FOR UPDATE", logger: logger)
                    lockTaken.yield()
                    try await Task.sleep(for: .milliseconds(500))
                    try await connection.query("COMMIT", logger: logger)
                }
            }
            for await _ in locked { break }
            let claimed = try await store.claim(
                sendConfig: seed.sendConfig.id, limit: 10, now: f.time(11), leaseDuration: 30)
            try await holder.value
            #expect(claimed.count == 5)
            #expect(try await store.batchForDelivery(batch.id)?.counts.sending == 5)
        }
    }
}
