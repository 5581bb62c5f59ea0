import Synchronization
import Testing

@testable import BatchSenderProviders

/// The pool's bookkeeping, with connectors that never reach a server.
@Suite("SMTP connection pool")
struct SMTPConnectionPoolTests {
    @Test func aFullPoolMakesCallersWaitOnlyUntilTheTimeout() async throws {
        // The only slot is taken by a connect that does not finish.
        let pool = SMTPConnectionPool(maxConnections: 1, messagesPerConnection: 10, waitTimeout: .milliseconds(200)) {
            () async throws(SMTPError) -> SMTPConnection in
            try? await Task.sleep(for: .seconds(60))
            throw .connect("cancelled")
        }
        let hog = Task { try await pool.acquire() }
        while await pool.openCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
        await #expect(throws: SMTPError.poolTimeout(1)) { try await pool.acquire() }
        hog.cancel()
        await #expect(throws: SMTPError.connect("cancelled")) { try await hog.value }
        #expect(await pool.openCount == 0)
    }

    @Test func aFailedConnectHandsItsSlotToTheNextCaller() async throws {
        let attempts = Mutex(0)
        let pool = SMTPConnectionPool(maxConnections: 1, messagesPerConnection: 10, waitTimeout: .seconds(60)) {
            () async throws(SMTPError) -> SMTPConnection in
            attempts.withLock { $0 += 1 }
            try? await Task.sleep(for: .milliseconds(20))
            throw .connect("down")
        }
        let errors: [SMTPError?] = await withTaskGroup(of: SMTPError?.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    do throws(SMTPError) {
                        _ = try await pool.acquire()
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(errors == [.connect("down"), .connect("down"), .connect("down")])
        #expect(attempts.withLock { $0 } == 3, "each waiter got to try once the slot was free")
        #expect(await pool.openCount == 0)
    }

    @Test func aShutDownPoolRefusesWork() async {
        let pool = SMTPConnectionPool(maxConnections: 2, messagesPerConnection: 10, waitTimeout: .seconds(1)) {
            () async throws(SMTPError) -> SMTPConnection in throw .connect("unused")
        }
        await pool.shutdown()
        await #expect(throws: SMTPError.shutDown) { try await pool.acquire() }
    }
}
