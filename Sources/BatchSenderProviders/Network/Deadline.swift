import Synchronization

/// Thrown when an operation outlives its time budget.
public struct DeadlineExceeded: Error, Hashable, Sendable {
    public init() {}
}

/// Runs `operation` and cancels it when `deadline` passes first, throwing `DeadlineExceeded`.
/// Structured: returns only once `operation` has stopped, so use it for cancellation-aware work
/// (AsyncHTTPClient requests and body streams end promptly when cancelled).
func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceeded() }
        return first
    }
}

/// Like `withDeadline`, but returns as soon as the time is up even if `operation` cannot be
/// cancelled (a blocking `getaddrinfo` on a thread pool): the operation is left to finish on its
/// own and its result is dropped.
func firstToFinish<T: Sendable>(
    within timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(continuation)
            let work = Task { race.finish(await Result { try await operation() }) }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                race.finish(.failure(DeadlineExceeded()))
            }
            race.track([work, timer])
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The shared state of `firstToFinish`: the continuation is resumed exactly once, by whichever
/// of the work, the timer or a cancellation comes first; the others are then cancelled.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var finished: Result<T, any Error>?
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        // A cancellation may have come before the continuation existed.
        let early = state.withLock { state -> Result<T, any Error>? in
            if let finished = state.finished { return finished }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func track(_ tasks: [Task<Void, Never>]) {
        let done = state.withLock { state -> Bool in
            state.tasks = tasks
            return state.finished != nil
        }
        if done { tasks.forEach { $0.cancel() } }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard state.finished == nil else { return (nil, []) }
            state.finished = result
            defer { state.continuation = nil }
            return (state.continuation, state.tasks)
        }
        continuation?.resume(with: result)
        tasks.forEach { $0.cancel() }
    }
}

extension Result where Failure == any Error {
    /// `Result(catching:)` for async work.
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
