import Synchronization

/// Something that happens again and again, and tasks that wait for its next time: `beat()`
/// increases `generation` and wakes every waiter; `wait(after:timeout:)` returns at the first
/// beat after the generation the caller read, or at the timeout. Read the generation *before*
/// looking, so a beat between looking and waiting is never missed.
public final class Pulse: Sendable {
    private struct State {
        var generation = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Increases with every `beat`.
    public var generation: Int { state.withLock { $0.generation } }

    public func beat() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation += 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at the first beat after `generation`, or after `timeout`, whichever is first.
    public func wait(after generation: Int, timeout: Duration) async {
        let id: Int? = state.withLock { state in
            guard state.generation == generation else { return nil }
            state.nextWaiter += 1
            return state.nextWaiter
        }
        guard let id else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let registered = state.withLock { state -> Bool in
                guard state.generation == generation else { return false }
                state.waiters[id] = continuation
                return true
            }
            guard registered else {
                continuation.resume()
                return
            }
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.resume(id)
            }
        }
    }

    private func resume(_ id: Int) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume()
    }
}
