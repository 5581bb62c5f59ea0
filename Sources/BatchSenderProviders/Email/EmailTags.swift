import BatchSenderDelivery
import Foundation

/// The tags Resend and SES carry with each email, so provider events can be joined back to the
/// batch and recipient even before the message id is known.
enum EmailTags {
    /// `batch_id` and `recipient_id` of `message`, as tag values.
    static func pairs(for message: OutboundMessage) -> [(name: String, value: String)] {
        [("batch_id", value(message.batchID.rawValue)), ("recipient_id", value(message.recipientID.rawValue))]
    }

    /// Both providers allow ASCII letters, digits, `_` and `-` in tag values (Resend OpenAPI
    /// `Tag`; SES `MessageTag`), at most 256 characters.
    static func value(_ text: String) -> String {
        String(text.unicodeScalars.map { scalar -> Character in
            let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_" || scalar == "-")
            return ok ? Character(scalar) : "_"
        }.prefix(256))
    }
}
