import BatchSenderCore
import Foundation

/// What `recordEvents` did with one request's events.
public struct EventReport: Hashable, Sendable {
    /// New events stored.
    public var recorded = 0
    /// Events already stored (same provider event id): ignored.
    public var duplicates = 0
    /// Events that changed a recipient's status.
    public var applied = 0
    /// Events whose message no recipient has yet: kept, applied when the send's outcome arrives.
    public var pending = 0
    /// Addresses added to the suppression list.
    public var suppressed: [String] = []

    public init() {}
}

/// Provider delivery events (CONTRACT §6), stored durably and applied to recipients.
public protocol EventStore: Sendable {
    /// Records the events `sendConfig`'s provider reported, in one transaction. Each event new by
    /// its `eventID` is stored and matched to a recipient of a batch sent through `sendConfig` —
    /// by `recipientKey` when given, else by provider message id — then applied: the status
    /// moves as the transition table allows (counts with it), a hard bounce or complaint puts the
    /// address on the workspace's suppression list, and a recipient's first open and first click
    /// are counted on its batch. An event no recipient matches yet is kept as pending; `complete`
    /// applies it when it records that message id.
    func recordEvents(_ events: [ProviderEvent], for sendConfig: SendConfig, now: Date) async throws -> EventReport

    /// `recordEvents` for several requests in ONE transaction (group commit): one report each,
    /// in order. All are durable when it returns, or none is.
    func recordEvents(_ submissions: [EventSubmission], now: Date) async throws -> [EventReport]

    /// Deletes pending events received before `date` that no recipient ever matched (messages
    /// another system sent through the same provider account); returns how many.
    func prunePendingEvents(receivedBefore date: Date) async throws -> Int

    /// The recipient's timeline, oldest first; `nil` when the batch or recipient is not in the workspace.
    func events(of recipient: Recipient.ID, batch: Batch.ID, in workspace: Workspace.ID) async throws -> [RecipientEvent]?
}

/// One request's events, for group commit.
public struct EventSubmission: Sendable {
    public var events: [ProviderEvent]
    public var sendConfig: SendConfig

    public init(events: [ProviderEvent], sendConfig: SendConfig) {
        self.events = events
        self.sendConfig = sendConfig
    }
}

extension Recipient {
    /// Applies a provider event: the status moves when the transition table allows it; an event
    /// the recipient is already past (out of order) is superseded. Shared by every store.
    public mutating func apply(_ event: ProviderEvent, at now: Date) -> RecipientEvent.Effect {
        guard let next = event.status else { return .recorded }
        guard status.canTransition(to: next) else { return .superseded }
        status = next
        updatedAt = now
        switch next {
        case .delivered:
            deliveredAt = event.occurredAt
        case .bounced:
            lastError = "bounced\(event.hard == true ? " (hard)" : event.hard == false ? " (soft)" : "")"
                + (event.detail.map { ": \($0)" } ?? "")
        case .complained:
            lastError = "complaint" + (event.detail.map { ": \($0)" } ?? "")
        case .failed:
            lastError = "failed after hand-over" + (event.detail.map { ": \($0)" } ?? "")
        default:
            break
        }
        return .applied
    }
}

extension ProviderEvent {
    /// The batch and row a `recipientKey` names (see `MessageKey`).
    public var keyedRecipient: (batch: Batch.ID, row: Int64)? {
        recipientKey.flatMap(MessageKey.parse)
    }
}
