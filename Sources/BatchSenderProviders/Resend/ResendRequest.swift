import BatchSenderSignatures
import BatchSenderCore
import BatchSenderDelivery
import Crypto
import Foundation

/// One call to Resend's batch endpoint (`POST /emails/batch`, up to 100 emails), rendered to
/// the exact JSON body and headers.
///
/// Source: resend/resend-openapi `resend.yaml` (`/emails/batch`, `SendEmailRequest`: `from`,
/// `to`, `subject`, `html`, `text`, `reply_to`, `headers`, `tags`), and
/// https://resend.com/docs/dashboard/emails/batch-sending (validation modes).
struct ResendRequest: Sendable {
    /// Resend's documented maximum per batch call.
    static let maxMessages = 100

    var body: [UInt8]
    var idempotencyKey: String

    init(_ messages: [OutboundMessage]) {
        let items: [JSONValue] = messages.map { outbound in
            guard case .email(let email) = outbound.message else { return .null }
            var item: [String: JSONValue] = [
                "from": .string(Mailbox.format(name: email.fromName, address: email.from)),
                "to": .array([.string(email.to)]),
                "subject": .string(email.subject),
                // Lets provider events be joined back to the batch even without the message id.
                "tags": .array(EmailTags.pairs(for: outbound).map { .object(["name": .string($0.name), "value": .string($0.value)]) }),
            ]
            if let html = email.html { item["html"] = .string(html) }
            if let text = email.text { item["text"] = .string(text) }
            if let replyTo = email.replyTo, !replyTo.isEmpty { item["reply_to"] = .array([.string(replyTo)]) }
            if !email.headers.isEmpty { item["headers"] = .object(email.headers.mapValues(JSONValue.string)) }
            return .object(item)
        }
        body = Array(JSONValue.array(items).jsonText().utf8)
        idempotencyKey = Self.idempotencyKey(messages.map(\.idempotencyKey))
    }

    /// A key derived from the recipients' own stable keys, so a retried call with the same
    /// recipients is recognised by Resend for 24 hours (1–256 characters; docs "Idempotency
    /// keys"). One recipient: its key as it is.
    static func idempotencyKey(_ keys: [String]) -> String {
        if keys.count == 1, let only = keys.first, only.count <= 256 { return only }
        let digest = SHA256.hash(data: Data(keys.joined(separator: ",").utf8))
        return "bs_batch_" + digest.hexString
    }
}
