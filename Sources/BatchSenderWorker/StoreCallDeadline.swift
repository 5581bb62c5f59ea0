import BatchSenderStore
import Synchronization

/// A store call the engine stops waiting for after a deadline.
///
/// A driver can leave a call hanging for good — seen with PostgreSQL when the connection is cut
/// at the wrong moment mid-transaction: the call never returns although the socket is closed.
/// A runner or the completion writer waiting on it would stall the engine for the rest of the
/// process's life. Past the deadline the call is left behind (it runs on in a task of its own,
/// so nothing is cancelled mid-transaction) and reported as failed: a claim left behind is
/// rescued when its leases expire; outcomes whose write was left behind are written again, and
/// apply once (an outcome applies only under its lease token).
enum StoreCallDeadline {
    /// `call`'s result, or `StoreUnavailable` once `deadline` has passed (the call runs on,
    /// unawaited): a store that does not answer is treated like one that cannot be reached.
    static func run<T: Sendable>(
        _ operation: String, within deadline: Duration, _ call: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = Once()
        return try await withCheckedThrowingContinuation { continuation in
            let timer = Task {
                try? await Task.sleep(for: deadline)
                guard !Task.isCancelled, once.claim() else { return }
                continuation.resume(throwing: StoreUnavailable("no answer to \(operation) within \(deadline); the call was left behind"))
            }
            // Unstructured on purpose: a task group would wait for a call that never returns.
            Task {
                let result = await Result(catching: { try await call() })
                timer.cancel()
                if once.claim() { continuation.resume(with: result) }
            }
        }
    }

    /// Lets exactly one of the racers resume the continuation.
    private final class Once: Sendable {
        private let done = Mutex(false)

        func claim() -> Bool {
            done.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
