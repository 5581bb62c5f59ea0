import BatchSenderCore
import Foundation

extension Recipient {
    /// Whether a worker may claim it now.
    public func isDue(_ now: Date) -> Bool { status == .queued && (nextAttemptAt ?? now) <= now }

    /// Applies a delivery resolution to a recipient in `sending`; returns its new status. Every
    /// store uses this one function, so a resolution means the same everywhere. In a cancelled
    /// batch, what would queue the recipient again cancels it instead.
    public mutating func resolve(_ resolution: DeliveryResolution, batchCancelled: Bool, at now: Date) -> RecipientStatus {
        updatedAt = now
        switch resolution {
        case .sent(let id):
            status = .sent
            providerMessageID = id
            sentAt = now
            lastError = nil
        case .delivered(let id):
            status = .delivered
            providerMessageID = id
            sentAt = sentAt ?? now
            deliveredAt = now
            lastError = nil
        case .failed(let error):
            status = .failed
            lastError = error
        case .retry(let at, let error):
            status = batchCancelled ? .cancelled : .queued
            nextAttemptAt = at
            lastError = error
        case .released(let at):
            status = batchCancelled ? .cancelled : .queued
            nextAttemptAt = at
            attempts = max(0, attempts - 1)
        case .suppressed:
            status = .suppressed
        case .optedOut(let error):
            status = .suppressed
            lastError = error
        }
        return status
    }
}
