/// Concurrency slots of one runner (`maxConcurrency`). Only the runner's loop takes slots, so
/// "wait until one is free, then take what is free" cannot race; calls give them back.
actor Slots {
    private var free: Int
    private var waiter: CheckedContinuation<Void, Never>?

    init(_ count: Int) {
        free = max(1, count)
    }

    /// Waits until at least one slot is free; returns how many are.
    func waitForFree() async -> Int {
        if free == 0 {
            await withCheckedContinuation { waiter = $0 }
        }
        return free
    }

    var freeCount: Int { free }

    func take(_ count: Int) {
        free -= count
    }

    func release(_ count: Int = 1) {
        free += count
        waiter?.resume()
        waiter = nil
    }
}
