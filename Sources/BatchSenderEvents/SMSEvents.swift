import BatchSenderCore
import BatchSenderSignatures
import Foundation

/// Telnyx message webhooks: `{"data": {"id": <event id>, "event_type": "message.sent" |
/// "message.finalized", "occurred_at": …, "payload": {"id": <message id>, "to": [{"status": …}],
/// "errors": [{"code", "title"}]}}}` (team-telnyx/telnyx-python `types/outbound_message_payload.py`).
enum TelnyxEvents {
    static func receive(_ request: EventRequest, publicKey: String?, now: Date) throws(EventIntakeError) -> EventIntakeResult {
        guard let publicKey, let verifier = TelnyxSignature(publicKey: publicKey) else {
            throw .unauthorized("the send config has no valid publicKey to verify Telnyx events with")
        }
        try verifier.verify(
            signature: request.headers["telnyx-signature-ed25519"], timestamp: request.headers["telnyx-timestamp"],
            body: request.body, now: now
        ).require()
        guard let data = JSONValue.parse(request.bodyText)?["data"], let eventID = data["id"]?.stringValue,
            let type = data["event_type"]?.stringValue
        else { throw .unreadable("the body is not a Telnyx event") }
        guard type == "message.sent" || type == "message.finalized" else {
            return .nothing(reason: "Telnyx event \(type) is not tracked")
        }
        let payload = data["payload"]
        guard let messageID = payload?["id"]?.stringValue else { throw .unreadable("the Telnyx event has no payload.id") }
        let status = payload?["to"]?.arrayValue?.first?["status"]?.stringValue ?? ""
        let kind: ProviderEvent.Kind =
            switch status {
            case "delivered": .delivered
            case "delivery_failed", "sending_failed", "expired": .failed
            default: .sent  // queued, sending, sent, delivery_unconfirmed: no status change
            }
        let error = payload?["errors"]?.arrayValue?.first
        let detail = [status, error?["code"]?.stringValue, error?["title"]?.stringValue].compactMap { $0 }
            .filter { !$0.isEmpty }.joined(separator: " ")
        return .events([ProviderEvent(
            eventID: eventID, messageID: messageID, kind: kind, detail: detail.isEmpty ? nil : detail,
            occurredAt: EventTime.parse(data["occurred_at"]?.stringValue) ?? now)])
    }
}

/// Twilio status callbacks: a form POST with `MessageSid`, `MessageStatus` and, on failure,
/// `ErrorCode` (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status).
/// Twilio sends no event id: one status of one message is one event.
enum TwilioEvents {
    static func receive(_ request: EventRequest, authToken: String?, now: Date) throws(EventIntakeError) -> EventIntakeResult {
        guard let authToken, !authToken.isEmpty else { throw .unauthorized("the send config has no authToken") }
        let fields = request.method == "GET" ? request.query : request.formFields
        try TwilioSignature.isValid(
            request.headers["x-twilio-signature"], url: request.url, parameters: request.method == "GET" ? [] : fields,
            authToken: authToken
        ).require()
        let values = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        guard let sid = values["MessageSid"] ?? values["SmsSid"], let status = values["MessageStatus"] ?? values["SmsStatus"] else {
            throw .unreadable("the callback has no MessageSid and MessageStatus")
        }
        let kind: ProviderEvent.Kind =
            switch status {
            case "delivered": .delivered
            case "undelivered", "failed", "canceled": .failed
            case "read": .opened
            default: .sent  // queued, accepted, scheduled, sending, sent: no status change
            }
        let detail = values["ErrorCode"].map { "\(status) (error \($0))" } ?? status
        return .events([ProviderEvent(
            eventID: "\(sid):\(status)", messageID: sid, kind: kind, detail: detail, occurredAt: now)])
    }
}

/// Vonage SMS API delivery receipts (GET query, POST form or POST JSON): `messageId`, `status`
/// (`delivered`; `expired`, `failed`, `rejected`; `accepted`, `buffered`, `unknown`),
/// `err-code`, `client-ref`, `message-timestamp`, and when signed `timestamp`, `nonce`, `sig`
/// (Nexmo/api-specification `definitions/sms.yml` `DeliveryReceipt`; signing: "Signing Messages").
enum VonageEvents {
    static func receive(
        _ request: EventRequest, secret: String?, method: VonageSignature.Method, now: Date
    ) throws(EventIntakeError) -> EventIntakeResult {
        guard let secret, !secret.isEmpty else {
            throw .unauthorized("the send config has no signatureSecret: Vonage delivery receipts must be signed")
        }
        var parameters = request.query
        if request.method != "GET" {
            if request.headers["content-type"]?.hasPrefix("application/json") == true {
                guard let object = JSONValue.parse(request.bodyText)?.objectValue else { throw .unreadable("the body is not JSON") }
                parameters += object.compactMap { key, value in
                    value.stringValue.map { (key, $0) } ?? value.numberText.map { (key, $0) }
                }
            } else {
                parameters += request.formFields
            }
        }
        let values = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        guard let sig = values["sig"] else { throw .unauthorized("the delivery receipt is not signed (no sig)") }
        guard let stamp = values["timestamp"].flatMap(Double.init) else { throw .unauthorized("the signed receipt has no timestamp") }
        guard abs(now.timeIntervalSince1970 - stamp) <= StandardWebhookSigner.tolerance else {
            throw .unauthorized(SignatureCheck.stale.problem ?? "stale")
        }
        guard VonageSignature.isValid(sig, parameters: parameters, secret: secret, method: method) else {
            throw .unauthorized(SignatureCheck.invalid.problem ?? "invalid")
        }
        guard let messageID = values["messageId"], let status = values["status"] else {
            throw .unreadable("the receipt has no messageId and status")
        }
        let kind: ProviderEvent.Kind =
            switch status {
            case "delivered": .delivered
            case "expired", "failed", "rejected": .failed
            default: .sent
            }
        let detail = values["err-code"].map { "\(status) (err-code \($0))" } ?? status
        return .events([ProviderEvent(
            eventID: "\(messageID):\(status):\(values["message-timestamp"] ?? "")", messageID: messageID, kind: kind,
            detail: detail, occurredAt: Date(timeIntervalSince1970: stamp), recipientKey: values["client-ref"])])
    }
}
