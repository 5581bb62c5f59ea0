import BatchSenderCore
import BatchSenderPostgres
import BatchSenderStore
import Foundation
import Testing

/// An unreachable database is an outage the callers can name (`StoreUnavailable`), reported
/// within the store's connection timeout — not after the pool's minute of retries. No server
/// needed: nothing listens on port 1.
@Suite struct PostgresUnavailableTests {
    static func unreachableStore() throws -> PostgresStore {
        let configuration = try PostgresConfiguration(url: "postgres://u:p@127.0.0.1:1/db?sslmode=disable")
        return try PostgresStore(
            configuration: configuration, readinessTimeout: .milliseconds(300), connectionTimeout: .milliseconds(500),
            busyConnectionTimeout: .seconds(2))
    }

    @Test func anOperationOnAnUnreachableDatabaseThrowsStoreUnavailable() async throws {
        let store = try Self.unreachableStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            // Bounded: without the connection timeouts the pool keeps the request for 60 s. The
            // first wait is the busy one (nothing has failed yet), the second the short one.
            let outcome = try await withThrowingTaskGroup(of: String.self) { race in
                race.addTask {
                    do {
                        _ = try await store.batchStatuses([Batch.ID(rawValue: "b_1")])
                        return "answered"
                    } catch let error as StoreUnavailable {
                        return "unavailable: \(error.reason)"
                    } catch {
                        return "other: \(String(reflecting: error))"
                    }
                }
                race.addTask {
                    try await Task.sleep(for: .seconds(30))
                    return "still waiting"
                }
                defer { race.cancelAll() }
                return try await race.next() ?? ""
            }
            #expect(outcome.hasPrefix("unavailable: "), "\(outcome)")
            await #expect(throws: StoreUnavailable.self) { try await store.batchStatuses([Batch.ID(rawValue: "b_2")]) }
            await #expect(throws: PostgresStoreError.unreachable) { try await store.checkReady() }
        }
    }
}
