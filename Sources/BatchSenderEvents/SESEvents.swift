import BatchSenderCore
import BatchSenderSignatures
import Foundation

/// SES events published to an SNS topic with an HTTP(S) subscription: the SNS envelope is
/// verified (signature, certificate URL, timestamp), then its `Message` is an SES event record —
/// `eventType` (configuration-set event publishing) or `notificationType` (identity
/// notifications): `Send`, `Delivery`, `Bounce` (`bounce.bounceType` `Permanent` is hard),
/// `Complaint`, `Reject`, `Rendering Failure`, `DeliveryDelay`, `Open`, `Click`, with
/// `mail.messageId` (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html).
enum SESEvents {
    static func receive(
        _ request: EventRequest, verifier: SNSVerifier, topicArn: String?, now: Date
    ) async throws(EventIntakeError) -> EventIntakeResult {
        guard let envelope = JSONValue.parse(request.bodyText)?.objectValue else {
            throw .unauthorized("the body is not an SNS message")
        }
        let message = SNSMessage(fields: envelope.compactMapValues(\.stringValue))
        // The topic first: any AWS account can subscribe our URL to its own topic, and a message
        // from a topic we do not expect must cost nothing — no certificate download, no
        // subscription confirmed (CONTRACT §3: without `snsTopicArn` SES events are refused).
        guard let topicArn, !topicArn.isEmpty else {
            throw .unauthorized("the send config has no settings.snsTopicArn; SES events are refused without it")
        }
        guard message.fields["TopicArn"] == topicArn else {
            throw .unauthorized("the message comes from another SNS topic than the send config's snsTopicArn")
        }
        try await verifier.verify(message, now: now).require()
        switch message.type {
        case "SubscriptionConfirmation":
            guard let url = message.subscribeURL, verifier.isAllowed(url) else {
                throw .unreadable("the SubscribeURL is not an allowed SNS URL")
            }
            return .confirmSubscription(subscribeURL: url)
        case "Notification":
            return try events(message, now: now)
        default:
            return .nothing(reason: "SNS \(message.type ?? "message") needs no action")
        }
    }

    private static func events(_ message: SNSMessage, now: Date) throws(EventIntakeError) -> EventIntakeResult {
        guard let record = message.message.flatMap(JSONValue.parse), let type = (record["eventType"] ?? record["notificationType"])?.stringValue
        else { throw .unreadable("the SNS Message is not an SES event") }
        guard let messageID = record["mail"]?["messageId"]?.stringValue else { throw .unreadable("the SES event has no mail.messageId") }
        let kind: ProviderEvent.Kind
        var hard: Bool?
        var detail: String?
        var section: JSONValue?
        switch type {
        case "Send": kind = .sent; section = record["mail"]
        case "Delivery": kind = .delivered; section = record["delivery"]
        case "Bounce":
            kind = .bounced
            section = record["bounce"]
            hard = section?["bounceType"]?.stringValue == "Permanent"
            let diagnostic = section?["bouncedRecipients"]?.arrayValue?.first?["diagnosticCode"]?.stringValue
            detail = [section?["bounceType"]?.stringValue, section?["bounceSubType"]?.stringValue, diagnostic]
                .compactMap { $0 }.joined(separator: ": ")
        case "Complaint":
            kind = .complained
            section = record["complaint"]
            detail = section?["complaintFeedbackType"]?.stringValue
        case "Reject":
            kind = .failed
            section = record["reject"]
            detail = "rejected by SES: \(section?["reason"]?.stringValue ?? "unknown reason")"
        case "Rendering Failure":
            kind = .failed
            section = record["failure"]
            detail = "rendering failure: \(section?["errorMessage"]?.stringValue ?? "")"
        case "DeliveryDelay":
            kind = .delayed
            section = record["deliveryDelay"]
            detail = section?["delayType"]?.stringValue
        case "Open": kind = .opened; section = record["open"]
        case "Click":
            kind = .clicked
            section = record["click"]
            detail = section?["link"]?.stringValue
        default:
            return .nothing(reason: "SES event \(type) is not tracked")
        }
        let occurred = EventTime.parse(section?["timestamp"]?.stringValue) ?? EventTime.parse(message.timestamp) ?? now
        return .events([ProviderEvent(
            eventID: message.messageID ?? "\(messageID):\(type)", messageID: messageID, kind: kind, hard: hard,
            detail: detail.flatMap { $0.isEmpty ? nil : $0 }, occurredAt: occurred)])
    }
}
