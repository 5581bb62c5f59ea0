import BatchSenderCore
import BatchSenderSignatures
import Foundation

/// Events signed the Standard Webhooks way: Resend (through Svix) and our own `webhook` format.
enum StandardWebhookEvents {
    /// Resend: `svix-id`, `svix-timestamp`, `svix-signature`, secret `webhookSecret`; body
    /// `{"type": "email.delivered", "created_at": …, "data": {"email_id": …, "bounce": {"type":
    /// "Permanent" | "Transient" | "Undetermined", "message": …}, "failed": {"reason": …}}}`.
    /// Sources: https://resend.com/docs/webhooks/verify-webhooks-requests (the event id is the
    /// `svix-id` header) and resend/resend-openapi webhook event schemas.
    static func resend(_ request: EventRequest, secret: String?, now: Date) throws(EventIntakeError) -> EventIntakeResult {
        let id = try verify(request, secret: secret, secretName: "webhookSecret", prefix: "svix", now: now)
        guard let body = JSONValue.parse(request.bodyText), let type = body["type"]?.stringValue else {
            throw .unreadable("the body is not a Resend event")
        }
        let kinds: [String: ProviderEvent.Kind] = [
            "email.sent": .sent, "email.delivered": .delivered, "email.delivery_delayed": .delayed,
            "email.complained": .complained, "email.bounced": .bounced, "email.opened": .opened,
            "email.clicked": .clicked, "email.failed": .failed,
            // Resend's own suppression list refused the address (a history of hard bounces).
            "email.suppressed": .bounced,
        ]
        guard let kind = kinds[type] else { return .nothing(reason: "Resend event \(type) is not tracked") }
        let data = body["data"]
        guard let messageID = data?["email_id"]?.stringValue, !messageID.isEmpty else {
            throw .unreadable("the Resend event has no data.email_id")
        }
        var hard: Bool?
        var detail: String?
        if kind == .bounced, let bounce = data?["bounce"] {
            hard = bounce["type"]?.stringValue == "Permanent"
            detail = [bounce["type"]?.stringValue, bounce["subType"]?.stringValue, bounce["message"]?.stringValue]
                .compactMap { $0 }.joined(separator: ": ")
        }
        if type == "email.suppressed" {
            hard = true
            detail = ["suppressed", data?["suppressed"]?["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        }
        if kind == .failed { detail = data?["failed"]?["reason"]?.stringValue }
        if kind == .clicked { detail = data?["click"]?["link"]?.stringValue }
        let occurred = EventTime.parse(body["created_at"]?.stringValue ?? data?["created_at"]?.stringValue) ?? now
        return .events([ProviderEvent(eventID: id, messageID: messageID, kind: kind, hard: hard, detail: detail, occurredAt: occurred)])
    }

    /// Our `webhook` format (CONTRACT §6): Standard Webhooks headers; body `{"type":
    /// "delivered|bounced|complained|failed|opened|clicked", "messageId": …, "hard"?: bool,
    /// "detail"?: string, "occurredAt"?: RFC 3339}`.
    ///
    /// Signed with `credentials.inboundSecret` when the config has one, else `signingSecret`.
    /// Every receiver of our deliveries holds `signingSecret` (it verifies what we send), so
    /// with only that secret any receiver can sign events about any other receiver's message; a
    /// separate inbound secret, given only to whoever reports events, closes that (issue #9).
    static func webhook(_ request: EventRequest, credentials: [String: String], now: Date) throws(EventIntakeError)
        -> EventIntakeResult
    {
        let (secret, secretName) = inboundSecret(credentials)
        let id = try verify(request, secret: secret, secretName: secretName, prefix: "webhook", now: now)
        guard let body = JSONValue.parse(request.bodyText), let type = body["type"]?.stringValue else {
            throw .unreadable("the body must be {\"type\": …, \"messageId\": …}")
        }
        let allowed: [ProviderEvent.Kind] = [.delivered, .bounced, .complained, .failed, .opened, .clicked]
        guard let kind = ProviderEvent.Kind(rawValue: type), allowed.contains(kind) else {
            throw .unreadable("type must be one of \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        guard let messageID = body["messageId"]?.stringValue, !messageID.isEmpty else {
            throw .unreadable("messageId is required")
        }
        // A bounce is hard (and suppresses the address) only when the sender says so.
        return .events([ProviderEvent(
            eventID: id, messageID: messageID, kind: kind, hard: body["hard"]?.boolValue ?? (kind == .bounced ? false : nil),
            detail: body["detail"]?.stringValue, occurredAt: EventTime.parse(body["occurredAt"]?.stringValue) ?? now)])
    }

    /// The secret `webhook` events are verified with, and its credential name: `inboundSecret`
    /// when set, else `signingSecret`.
    static func inboundSecret(_ credentials: [String: String]) -> (secret: String?, name: String) {
        if let inbound = credentials["inboundSecret"], !inbound.isEmpty { return (inbound, "inboundSecret") }
        return (credentials["signingSecret"], "signingSecret")
    }

    /// Checks `<prefix>-id`, `<prefix>-timestamp` and `<prefix>-signature`; returns the id.
    private static func verify(
        _ request: EventRequest, secret: String?, secretName: String, prefix: String, now: Date
    ) throws(EventIntakeError) -> String {
        guard let secret, !secret.isEmpty else {
            throw .unauthorized("the send config has no \(secretName) to verify events with")
        }
        guard let signer = StandardWebhookSigner(secret: secret) else {
            throw .unauthorized("the send config's \(secretName) is not whsec_ followed by base64")
        }
        let id = request.headers["\(prefix)-id"]
        try signer.verify(
            id: id, timestamp: request.headers["\(prefix)-timestamp"], signatures: request.headers["\(prefix)-signature"],
            body: request.body, now: now
        ).require()
        return id ?? ""
    }
}
