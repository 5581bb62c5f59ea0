import BatchSenderCore
import BatchSenderStore
import Synchronization

/// A runner's recipients whose call has finished and whose outcome the writer has not written
/// yet. They are still `sending` in the store, where a shared `maxConcurrency` counts them as in
/// flight; a limited claim passes them along so the store leaves them out (at 2,000 deliveries/s
/// on 64 slots, the wait for the write was most of a slot's time).
final class FinishedCalls: Sendable {
    private let held = Mutex<[Recipient.ID: Int64]>([:])

    func add(_ recipientID: Recipient.ID, leaseToken: Int64) {
        held.withLock { $0[recipientID] = leaseToken }
    }

    /// The writer is done with these: written, or given up (then they count as in flight again
    /// until the rescuer takes them back, which is the safe side).
    func remove(_ completions: [DeliveryCompletion]) {
        held.withLock { held in
            for completion in completions where held[completion.recipientID] == completion.leaseToken {
                held[completion.recipientID] = nil
            }
        }
    }

    var leases: [HeldLease] {
        held.withLock { $0.map { HeldLease(recipientID: $0.key, leaseToken: $0.value) } }
    }
}
