import BatchSenderCore
import BatchSenderStore
import Foundation
import Synchronization

/// A `DeliveryNotifier` that writes down every call, for tests to wait on.
final class WakeupRecorder: DeliveryNotifier {
    enum Call: Hashable, Sendable {
        case work
        case batch(Batch.ID)
        case config(SendConfig.ID)
    }

    private let recorded = Mutex<[Call]>([])

    var calls: [Call] { recorded.withLock { $0 } }

    func workAvailable() { recorded.withLock { $0.append(.work) } }
    func batchChanged(_ id: Batch.ID) { recorded.withLock { $0.append(.batch(id)) } }
    func sendConfigChanged(_ id: SendConfig.ID) { recorded.withLock { $0.append(.config(id)) } }

    /// The calls once `done` holds for them; throws after `timeout` (generous: a loaded machine).
    @discardableResult
    func wait(timeout: Duration = .seconds(30), until done: ([Call]) -> Bool) async throws -> [Call] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let calls = self.calls
            if done(calls) { return calls }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimedOut(calls: calls)
    }

    struct TimedOut: Error, CustomStringConvertible {
        let calls: [Call]
        var description: String { "timed out; calls so far: \(calls)" }
    }
}
