import BatchSenderCore
import BatchSenderStore
import Foundation
import Synchronization

/// A clock the test moves by hand, for `Maintenance(now:)`.
final class ManualClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func set(_ date: Date) { current.withLock { $0 = date } }
}

/// Counts `workAvailable()`: maintenance calls it after a round that rescued or started work.
final class CountingNotifier: DeliveryNotifier {
    private let count = Mutex(0)

    var workAvailableCalls: Int { count.withLock { $0 } }

    func workAvailable() { count.withLock { $0 += 1 } }
    func batchChanged(_ id: Batch.ID) {}
    func sendConfigChanged(_ id: SendConfig.ID) {}
}
