import BatchSenderStore
import PostgresNIO
import Synchronization

extension PostgresStore {
    /// Runs `body` on a pooled connection, waiting at most `connectionTimeout` for one while
    /// the database has been failing (`busyConnectionTimeout` while it has been answering).
    ///
    /// postgres-nio's pool queues a request while it cannot connect, and fails queued requests
    /// only once connecting has failed for a minute (its circuit breaker). An API request or a
    /// delivery outcome should not wait that long to learn the database is away: past the
    /// timeout the request is withdrawn (a pending lease honours cancellation) and
    /// `StoreUnavailable` is thrown. The lease is held by a helper task that hands the connection
    /// over and keeps it until `body` is done, so only the wait is timed, never `body` itself.
    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let timeout = reachability.isFailing ? connectionTimeout : busyConnectionTimeout
        let lease = try await LeasedConnection.lease(from: client, within: timeout)
        do {
            let value = try await body(lease.connection)
            await lease.release()
            return value
        } catch {
            await lease.release()
            throw error
        }
    }
}

/// Whether the database has been failing lately: set by a lost connection, a lease or readiness
/// check that timed out; cleared by any statement that got an answer.
final class DatabaseReachability: Sendable {
    private let failing = Mutex(false)

    var isFailing: Bool { failing.withLock { $0 } }

    func lost() { failing.withLock { $0 = true } }

    func answered() { failing.withLock { $0 = false } }
}

/// A pooled connection leased by a helper task, until `release()`.
struct LeasedConnection: Sendable {
    let connection: PostgresConnection
    private let done: AsyncStream<Void>.Continuation
    private let holder: Task<Void, any Error>

    /// Leases a connection, or throws `StoreUnavailable` when none comes within `timeout` or the
    /// pool gives up connecting (`CancellationError` when the caller is cancelled).
    static func lease(from client: PostgresClient, within timeout: Duration) async throws -> LeasedConnection {
        let (handoff, handing) = AsyncStream<PostgresConnection>.makeStream()
        let (released, done) = AsyncStream<Void>.makeStream()
        let holder = Task {
            defer { handing.finish() }
            try await client.withConnection { connection in
                handing.yield(connection)
                // Held until `release()` finishes the stream (or this task is cancelled, which
                // happens only when the connection was never handed over).
                for await _ in released {}
            }
        }
        let first = await withTaskGroup(of: Handoff.self) { group in
            group.addTask {
                for await connection in handoff { return .connection(connection) }
                return .refused
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
        guard case .connection(let connection) = first else {
            // A connection handed over just now is given back: the holder's wait ends here.
            holder.cancel()
            done.finish()
            if Task.isCancelled { throw CancellationError() }
            if case .refused = first, case .failure(let error) = await holder.result {
                // The pool refused the lease (its connection circuit breaker, a shutdown).
                throw StoreUnavailable("no database connection: \(String(reflecting: error))")
            }
            throw StoreUnavailable("no database connection within \(timeout)")
        }
        return LeasedConnection(connection: connection, done: done, holder: holder)
    }

    private enum Handoff: Sendable {
        case connection(PostgresConnection)
        case refused
        case timedOut
    }

    /// Gives the connection back to the pool and waits until it has.
    func release() async {
        done.finish()
        _ = try? await holder.value
    }
}

extension PSQLError {
    /// Whether this error means the database could not be reached or dropped the connection,
    /// rather than refused the statement: the client-side connection failures, and the server's
    /// SQLSTATE classes 08 (connection exception) and 57P01–57P03 (shutting down, crashed,
    /// starting up) and 53300 (too many connections). PostgreSQL docs, Appendix A "Error Codes".
    var meansUnavailable: Bool {
        switch code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return true
        case .server:
            guard let state = sqlState else { return false }
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state)
        default:
            return false
        }
    }
}
