import Foundation

/// An Amazon SNS message as posted to an HTTP(S) subscription: its top-level string fields.
///
/// Source: "Verifying the signatures of Amazon SNS messages",
/// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html — the string
/// to sign is `Name\nValue\n` for each field, in byte order: `Message`, `MessageId`, `Subject`
/// (only if present), `Timestamp`, `TopicArn`, `Type` for a `Notification`; `Message`,
/// `MessageId`, `SubscribeURL`, `Timestamp`, `Token`, `TopicArn`, `Type` for a
/// `SubscriptionConfirmation` or `UnsubscribeConfirmation`. `SignatureVersion` 1 is
/// SHA1withRSA, 2 is SHA256withRSA (PKCS #1 v1.5).
public struct SNSMessage: Sendable {
    public let fields: [String: String]

    public init(fields: [String: String]) {
        self.fields = fields
    }

    public var type: String? { fields["Type"] }
    public var message: String? { fields["Message"] }
    public var messageID: String? { fields["MessageId"] }
    public var subscribeURL: String? { fields["SubscribeURL"] }
    public var signingCertURL: String? { fields["SigningCertURL"] ?? fields["SigningCertUrl"] }
    public var timestamp: String? { fields["Timestamp"] }

    static let notificationFields = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    static let subscriptionFields = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]

    /// The exact text SNS signed, or `nil` for an unknown type or a missing required field.
    public var stringToSign: String? {
        let names: [String]
        switch type {
        case "Notification": names = Self.notificationFields
        case "SubscriptionConfirmation", "UnsubscribeConfirmation": names = Self.subscriptionFields
        default: return nil
        }
        var text = ""
        for name in names {
            guard let value = fields[name] else {
                if name == "Subject" { continue }
                return nil
            }
            text += "\(name)\n\(value)\n"
        }
        return text
    }
}
