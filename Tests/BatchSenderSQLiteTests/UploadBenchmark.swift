import BatchSenderCore
import BatchSenderSQLite
import BatchSenderStore
import BatchSenderTesting
import Foundation
import Synchronization
import Testing

/// A hand-run benchmark of streaming uploads (not an assertion on time):
/// `BATCHSENDER_BENCHMARK=1 swift test -c release --filter UploadBenchmark`
/// prints recipients per second for a 1,000,000-row upload in chunks of 5,000.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BATCHSENDER_BENCHMARK"] != nil))
struct UploadBenchmark {
    @Test func millionRowUpload() async throws {
        let database = try TemporaryDatabase()
        let store = try await database.store()
        let f = Fixtures()
        let seed = try await f.seed(store)
        let batch = try await f.draft(store, seed, [])
        let total = Int(ProcessInfo.processInfo.environment["BATCHSENDER_BENCHMARK_ROWS"] ?? "") ?? 1_000_000
        let chunkSize = 5_000
        let produced = Mutex(0)
        // Rows are generated as the store pulls them, as a CSV parser would produce them.
        let stream = AsyncThrowingStream<[NewRecipient], any Error>(unfolding: {
            let start = produced.withLock { value in
                defer { value += chunkSize }
                return value
            }
            guard start < total else { return nil }
            return (start..<min(start + chunkSize, total)).map { i in
                let address = "user\(i)@example.com"
                return NewRecipient(
                    to: address, normalizedTo: address, variables: ["name": .string("User \(i)"), "plan": "pro"])
            }
        })
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await store.addRecipients(
            to: batch.id, in: seed.workspace.id, chunks: stream, maxRecipients: 1_000_000, at: Date())
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("upload of \(result.added) recipients: \(elapsed), \(Int(Double(result.added) / seconds)) recipients/s")
        #expect(result.added == total)
        withExtendedLifetime(database) {}
    }
}
