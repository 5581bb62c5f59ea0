import BatchSenderCore
import BatchSenderEvents
import Foundation

/// What the provider events endpoint needs besides the store (CONTRACT §6).
public struct EventServices: Sendable {
    public var intake: EventIntake
    /// `BATCHSENDER_PUBLIC_URL`: the base URL providers call, which Twilio signs.
    public var publicURL: String?
    /// Confirms an SNS subscription by calling its (verified, allowed) `SubscribeURL`.
    public var confirmSubscription: @Sendable (String) async throws -> Void
    /// Counts events by provider and result (`received`, `duplicate`, `unauthorized`, …).
    public var count: @Sendable (_ provider: String, _ result: String, _ amount: Int) -> Void
    /// Checks the tags of our message keys that providers echo back (Vonage `client-ref`): a key
    /// whose tag fails names no recipient.
    public var messageKeys: MessageKeys = .untagged

    public init(
        intake: EventIntake, publicURL: String?, confirmSubscription: @escaping @Sendable (String) async throws -> Void,
        count: @escaping @Sendable (String, String, Int) -> Void = { _, _, _ in }
    ) {
        self.intake = intake
        self.publicURL = publicURL
        self.confirmSubscription = confirmSubscription
        self.count = count
    }
}
