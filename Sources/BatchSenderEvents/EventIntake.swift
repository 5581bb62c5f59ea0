import BatchSenderCore
import BatchSenderSignatures
import Foundation

/// Verifies an events request with its provider's own scheme, then reads its events
/// (CONTRACT §6). Nothing is parsed, let alone recorded, before the signature checks out.
public struct EventIntake: Sendable {
    /// SNS signature checks (SES events); `nil` refuses every SES event.
    let sns: SNSVerifier?

    public init(sns: SNSVerifier?) {
        self.sns = sns
    }

    /// The events of `request` for a send config of `provider` with these credentials and settings.
    public func receive(
        _ request: EventRequest, provider: Provider, credentials: [String: String], settings: [String: JSONValue],
        now: Date
    ) async throws(EventIntakeError) -> EventIntakeResult {
        switch provider {
        case .resend:
            return try StandardWebhookEvents.resend(request, secret: credentials["webhookSecret"], now: now)
        case .http:
            return try StandardWebhookEvents.webhook(request, credentials: credentials, now: now)
        case .telnyx:
            return try TelnyxEvents.receive(request, publicKey: credentials["publicKey"], now: now)
        case .twilio:
            return try TwilioEvents.receive(request, authToken: credentials["authToken"], now: now)
        case .vonage:
            let method = settings["signatureMethod"]?.stringValue.flatMap(VonageSignature.Method.init(rawValue:)) ?? .md5hash
            return try VonageEvents.receive(request, secret: credentials["signatureSecret"], method: method, now: now)
        case .ses:
            guard let sns else { throw .unauthorized("SNS signature checking is not configured") }
            return try await SESEvents.receive(request, verifier: sns, topicArn: settings["snsTopicArn"]?.stringValue, now: now)
        case .sandbox, .smtp, .hubspot, .salesforce, .pipedrive:
            throw .unauthorized("\(provider.rawValue) send configs do not receive events")
        }
    }

    /// The path segment of `/v1/events/{provider}/…` for a send config's provider.
    public static func pathName(of provider: Provider) -> String? {
        switch provider {
        case .resend, .ses, .twilio, .vonage, .telnyx: provider.rawValue
        case .http: "webhook"
        case .sandbox, .smtp, .hubspot, .salesforce, .pipedrive: nil
        }
    }
}

extension SignatureCheck {
    /// Throws `unauthorized` unless valid.
    func require() throws(EventIntakeError) {
        if let problem { throw .unauthorized(problem) }
    }
}

/// Reading timestamps providers send: RFC 3339 (`Timestamp.parse`), also with a space instead
/// of the `T` (Resend's `data.created_at`: `2024-11-22 23:41:11.894719+00:00`).
enum EventTime {
    static func parse(_ text: String?) -> Date? {
        guard let text else { return nil }
        return Timestamp.parse(text) ?? Timestamp.parse(text.replacingOccurrences(of: " ", with: "T"))
    }
}
