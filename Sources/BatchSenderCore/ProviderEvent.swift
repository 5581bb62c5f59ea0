import Foundation

/// A delivery event a provider reported for one message (CONTRACT §6): verified, parsed and
/// ready to be recorded against the recipient it concerns.
public struct ProviderEvent: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Codable, Sendable {
        /// Accepted downstream (no status change: the recipient is `sent` already).
        case sent
        case delivered
        case bounced
        case complained
        case failed
        /// A temporary delay the provider is still retrying (recorded only).
        case delayed
        case opened
        case clicked
    }

    /// The provider's own id for the event: duplicates are recognised by it.
    public var eventID: String
    /// The provider's id for the message, as the send's outcome recorded it.
    public var messageID: String
    public var kind: Kind
    /// Bounces: whether it is permanent (only hard bounces suppress the address).
    public var hard: Bool?
    /// The provider's explanation (a bounce's diagnostic, an error code), for the timeline.
    public var detail: String?
    public var occurredAt: Date
    /// Our idempotency key for the message when the provider echoes it (Vonage `client-ref`),
    /// so the event finds its recipient even under a different message id (a later SMS part).
    public var recipientKey: String?

    public init(
        eventID: String, messageID: String, kind: Kind, hard: Bool? = nil, detail: String? = nil, occurredAt: Date,
        recipientKey: String? = nil
    ) {
        self.eventID = eventID
        self.messageID = messageID
        self.kind = kind
        self.hard = hard
        self.detail = detail
        self.occurredAt = occurredAt
        self.recipientKey = recipientKey
    }

    /// The recipient status this event moves a recipient to, if any.
    public var status: RecipientStatus? {
        switch kind {
        case .delivered: .delivered
        case .bounced: .bounced
        case .complained: .complained
        case .failed: .failed
        case .sent, .delayed, .opened, .clicked: nil
        }
    }

    /// Whether the address goes on the suppression list, and why (hard bounces and complaints).
    public var suppression: SuppressionReason? {
        switch kind {
        case .bounced where hard == true: .bounce
        case .complained: .complaint
        default: nil
        }
    }
}

/// One entry of a recipient's timeline (`GET …/recipients/{id}/events`).
public struct RecipientEvent: Hashable, Sendable {
    /// What recording the event did.
    public enum Effect: String, CaseIterable, Codable, Sendable {
        /// It moved the recipient to the event's status.
        case applied
        /// Kept on the timeline without a status change (opens, clicks, delays, `sent`).
        case recorded
        /// The recipient was already past it (an event that arrived out of order).
        case superseded
        /// No recipient had this message id yet; applied when the send's outcome is recorded.
        case pending
    }

    public var eventID: String
    public var provider: Provider
    public var kind: ProviderEvent.Kind
    public var hard: Bool?
    public var detail: String?
    public var occurredAt: Date
    public var receivedAt: Date
    public var effect: Effect

    public init(
        eventID: String, provider: Provider, kind: ProviderEvent.Kind, hard: Bool?, detail: String?, occurredAt: Date,
        receivedAt: Date, effect: Effect
    ) {
        self.eventID = eventID
        self.provider = provider
        self.kind = kind
        self.hard = hard
        self.detail = detail
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.effect = effect
    }
}
