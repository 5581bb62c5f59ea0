import BatchSenderCore
import BatchSenderEvents
import BatchSenderTesting
import Foundation
import Testing

/// Issue #9 item 10: inbound `webhook` events can be signed with their own secret, which the
/// receivers of our deliveries (who all hold `signingSecret`) do not have; and a bounce is hard
/// only when the event says so.
@Suite struct InboundWebhookSecretTests {
    static let signingSecret = EventSignatureTests.secret
    static let inboundSecret = "whsec_" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 * 29 + 3) }).base64EncodedString()
    let intake = EventIntake(sns: nil)
    let now = Date()

    func signed(_ body: String, with secret: String, id: String = "evt_1") throws -> EventRequest {
        let stamp = String(Int(now.timeIntervalSince1970))
        let signature = try PythonScript.output("sign_event.py", ["svix", secret, id, stamp], input: body)
        return EventSignatureTests.request(
            body, headers: ["webhook-id": id, "webhook-timestamp": stamp, "webhook-signature": signature])
    }

    @Test func withAnInboundSecretTheDeliverySecretNoLongerSignsEvents() async throws {
        let body = #"{"type":"bounced","messageId":"msg_b","hard":true}"#
        let credentials = ["signingSecret": Self.signingSecret, "inboundSecret": Self.inboundSecret]
        await #expect(throws: EventIntakeError.unauthorized("the signature does not match")) {
            try await intake.receive(
                try signed(body, with: Self.signingSecret), provider: .http, credentials: credentials, settings: [:], now: now)
        }
        let result = try await intake.receive(
            try signed(body, with: Self.inboundSecret), provider: .http, credentials: credentials, settings: [:], now: now)
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        #expect(events.first?.messageID == "msg_b" && events.first?.hard == true)
    }

    @Test func withoutAnInboundSecretTheSigningSecretStillWorks() async throws {
        let body = #"{"type":"delivered","messageId":"msg_d"}"#
        let result = try await intake.receive(
            try signed(body, with: Self.signingSecret), provider: .http, credentials: ["signingSecret": Self.signingSecret],
            settings: [:], now: now)
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        #expect(events.first?.kind == .delivered)
    }

    @Test func aBounceWithoutHardIsSoftAndSuppressesNothing() async throws {
        let body = #"{"type":"bounced","messageId":"msg_s"}"#
        let result = try await intake.receive(
            try signed(body, with: Self.signingSecret), provider: .http, credentials: ["signingSecret": Self.signingSecret],
            settings: [:], now: now)
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        #expect(events.first?.hard == false)
        #expect(events.first?.suppression == nil)
    }
}
