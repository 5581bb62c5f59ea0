import BatchSenderCore
import BatchSenderEvents
import BatchSenderSignatures
import BatchSenderTesting
import Foundation
import Testing

/// Every scheme checked against signatures made by the provider's own library (PyPI
/// `standardwebhooks` for Svix/Resend, `twilio` for Twilio, PyNaCl for Telnyx, `cryptography`
/// for SNS), run by `scripts/test-servers/sign_event.py` and `sns_sign.py`.
@Suite struct EventSignatureTests {
    static let secret = "whsec_" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 * 13 + 5) }).base64EncodedString()
    let intake = EventIntake(sns: nil)
    let now = Date()

    static func request(_ body: String, headers: [String: String], method: String = "POST", url: String = "https://bs.example.com/v1/events/x/sc_1", query: [(String, String)] = []) -> EventRequest {
        EventRequest(method: method, url: url, query: query, headers: headers, body: Array(body.utf8))
    }

    func svixHeaders(_ body: String, id: String = "msg_2Lh9KRb0pzN4LePd3XiA4hzjzWj", at time: Date? = nil, secret: String = secret) throws -> [String: String] {
        let stamp = String(Int((time ?? now).timeIntervalSince1970))
        let signature = try PythonScript.output("sign_event.py", ["svix", secret, id, stamp], input: body)
        return ["svix-id": id, "svix-timestamp": stamp, "svix-signature": signature]
    }

    static let resendBounce = #"{"type":"email.bounced","created_at":"2024-11-22T23:41:12.126Z","data":{"created_at":"2024-11-22T23:41:11.894719+00:00","email_id":"56761188-7520-42d8-8898-ff6fc54ce618","from":"Acme <onboarding@resend.dev>","to":["delivered@resend.dev"],"subject":"Sending this example","bounce":{"message":"The recipient's email address is on the suppression list because it has a recent history of producing hard bounces.","subType":"Suppressed","type":"Permanent"},"tags":{"category":"confirm_email"}}}"#

    @Test func resendEventsSignedBySvixAreAcceptedAndRead() async throws {
        let headers = try svixHeaders(Self.resendBounce)
        let result = try await intake.receive(
            Self.request(Self.resendBounce, headers: headers), provider: .resend,
            credentials: ["webhookSecret": Self.secret], settings: [:], now: now)
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        #expect(events.count == 1)
        #expect(events[0].eventID == "msg_2Lh9KRb0pzN4LePd3XiA4hzjzWj")
        #expect(events[0].messageID == "56761188-7520-42d8-8898-ff6fc54ce618")
        #expect(events[0].kind == .bounced)
        #expect(events[0].hard == true)
        #expect(events[0].suppression == .bounce)
    }

    @Test func forgedResendEventsAreRefused() async throws {
        let good = try svixHeaders(Self.resendBounce)
        let tampered = Self.resendBounce.replacingOccurrences(of: "Permanent", with: "Transient")
        let wrongSecret = try svixHeaders(Self.resendBounce, secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
        let stale = try svixHeaders(Self.resendBounce, at: now.addingTimeInterval(-301))
        let cases: [(String, [String: String], String)] = [
            ("tampered body", good, tampered),
            ("wrong secret", wrongSecret, Self.resendBounce),
            ("stale timestamp", stale, Self.resendBounce),
            ("no signature", good.filter { $0.key != "svix-signature" }, Self.resendBounce),
            ("future timestamp", try svixHeaders(Self.resendBounce, at: now.addingTimeInterval(400)), Self.resendBounce),
        ]
        for (name, headers, body) in cases {
            await #expect(throws: EventIntakeError.self, "\(name)") {
                try await intake.receive(
                    Self.request(body, headers: headers), provider: .resend, credentials: ["webhookSecret": Self.secret],
                    settings: [:], now: now)
            }
        }
        await #expect(throws: EventIntakeError.unauthorized("the send config has no webhookSecret to verify events with")) {
            try await intake.receive(Self.request(Self.resendBounce, headers: good), provider: .resend, credentials: [:], settings: [:], now: now)
        }
    }

    @Test func webhookEventsUseStandardWebhooks() async throws {
        let body = #"{"type":"bounced","messageId":"msg_01J_7","hard":false,"detail":"mailbox full"}"#
        let stamp = String(Int(now.timeIntervalSince1970))
        let signature = try PythonScript.output("sign_event.py", ["svix", Self.secret, "evt_1", stamp], input: body)
        let headers = ["webhook-id": "evt_1", "webhook-timestamp": stamp, "webhook-signature": signature]
        let result = try await intake.receive(
            Self.request(body, headers: headers), provider: .http, credentials: ["signingSecret": Self.secret], settings: [:], now: now)
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        #expect(events == [ProviderEvent(eventID: "evt_1", messageID: "msg_01J_7", kind: .bounced, hard: false, detail: "mailbox full", occurredAt: now)])
        await #expect(throws: EventIntakeError.unreadable("type must be one of delivered, bounced, complained, failed, opened, clicked")) {
            let odd = #"{"type":"exploded","messageId":"m"}"#
            let sig = try PythonScript.output("sign_event.py", ["svix", Self.secret, "evt_2", stamp], input: odd)
            return try await intake.receive(
                Self.request(odd, headers: ["webhook-id": "evt_2", "webhook-timestamp": stamp, "webhook-signature": sig]),
                provider: .http, credentials: ["signingSecret": Self.secret], settings: [:], now: now)
        }
    }

    @Test func twilioCallbacksAreCheckedOverThePublicURL() async throws {
        let url = "https://bs.example.com/v1/events/twilio/sc_01J"
        let body = "AccountSid=AC123&ApiVersion=2010-04-01&ErrorCode=30003&From=%2B15017250604&MessageSid=SM0123&MessageStatus=undelivered&SmsSid=SM0123&SmsStatus=undelivered&To=%2B15558675310"
        let signature = try PythonScript.output("sign_event.py", ["twilio", "tok3n", url], input: body)
        let headers = ["x-twilio-signature": signature, "content-type": "application/x-www-form-urlencoded"]
        let result = try await intake.receive(
            Self.request(body, headers: headers, url: url), provider: .twilio, credentials: ["authToken": "tok3n"], settings: [:], now: now)
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        #expect(events.first?.messageID == "SM0123")
        #expect(events.first?.kind == .failed)
        #expect(events.first?.detail == "undelivered (error 30003)")
        for (name, url, body, token) in [
            ("other URL", "https://evil.example.com/v1/events/twilio/sc_01J", body, "tok3n"),
            ("tampered", url, body.replacingOccurrences(of: "undelivered", with: "delivered"), "tok3n"),
            ("wrong token", url, body, "other"),
        ] {
            await #expect(throws: EventIntakeError.self, "\(name)") {
                try await intake.receive(Self.request(body, headers: headers, url: url), provider: .twilio,
                                         credentials: ["authToken": token], settings: [:], now: now)
            }
        }
    }

    @Test func twilioSignaturesMatchTheOfficialVector() {
        // twilio-python tests/unit/test_request_validator.py.
        let params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"),
                      ("From", "+14158675309"), ("To", "+18005551212")]
        #expect(TwilioSignature.sign(url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: params, authToken: "12345")
            == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        #expect(TwilioSignature.isValid("RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                                        parameters: params, authToken: "12345") == .valid, "the default port may be added")
    }

    @Test func telnyxEventsVerifyWithEd25519() async throws {
        let body = #"{"data":{"event_type":"message.finalized","id":"4ee8c3a6-4995-4309-a3c6-38e3db9ea4be","occurred_at":"2019-12-09T21:32:14.148+00:00","payload":{"id":"40385f64-5717-4562-b3fc-2c963f66afa6","to":[{"phone_number":"+18665550001","status":"delivered"}],"errors":[]},"record_type":"event"},"meta":{"attempt":1,"delivered_to":"https://bs.example.com/v1/events/telnyx/sc_1"}}"#
        let stamp = String(Int(now.timeIntervalSince1970))
        let signed = try #require(JSONValue.parse(try PythonScript.output("sign_event.py", ["telnyx", stamp], input: body)))
        let key = try #require(signed["publicKey"]?.stringValue), signature = try #require(signed["signature"]?.stringValue)
        let headers = ["telnyx-signature-ed25519": signature, "telnyx-timestamp": stamp]
        let result = try await intake.receive(
            Self.request(body, headers: headers), provider: .telnyx, credentials: ["publicKey": key], settings: [:], now: now)
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        #expect(events.first?.eventID == "4ee8c3a6-4995-4309-a3c6-38e3db9ea4be")
        #expect(events.first?.messageID == "40385f64-5717-4562-b3fc-2c963f66afa6")
        #expect(events.first?.kind == .delivered)
        await #expect(throws: EventIntakeError.unauthorized("the signature does not match")) {
            try await intake.receive(
                Self.request(body.replacingOccurrences(of: "delivered\"", with: "delivery_failed\""), headers: headers),
                provider: .telnyx, credentials: ["publicKey": key], settings: [:], now: now)
        }
        await #expect(throws: EventIntakeError.unauthorized("the signature timestamp is more than 5 minutes from now")) {
            try await intake.receive(Self.request(body, headers: headers), provider: .telnyx, credentials: ["publicKey": key],
                                     settings: [:], now: now.addingTimeInterval(600))
        }
    }

    @Test func vonageReceiptsMustBeSignedWithTheSignatureSecret() async throws {
        let stamp = String(Int(now.timeIntervalSince1970))
        var params = [("messageId", "0A0000000123ABCD1"), ("msisdn", "447700900000"), ("to", "AcmeInc"), ("status", "delivered"),
                      ("err-code", "0"), ("client-ref", "msg_01JABC_12"), ("message-timestamp", "2020-01-01 12:00:00"),
                      ("timestamp", stamp), ("nonce", "a1b2")]
        params.append(("sig", VonageSignature.sign(params, secret: "s1gn", method: .sha256)))
        let query = params.map { "\(FormDecodingTestEscape.escape($0.0))=\(FormDecodingTestEscape.escape($0.1))" }.joined(separator: "&")
        let get = EventRequest(method: "GET", url: "https://bs.example.com/x?\(query)", query: FormDecoding.decode(query), headers: [:], body: [])
        let result = try await intake.receive(get, provider: .vonage, credentials: ["signatureSecret": "s1gn"],
                                              settings: ["signatureMethod": "sha256"], now: now)
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        #expect(events.first?.kind == .delivered)
        #expect(events.first?.recipientKey == "msg_01JABC_12")
        await #expect(throws: EventIntakeError.self) {
            try await intake.receive(get, provider: .vonage, credentials: ["signatureSecret": "other"],
                                     settings: ["signatureMethod": "sha256"], now: now)
        }
        await #expect(throws: EventIntakeError.self, "a receipt without sig") {
            let unsigned = EventRequest(method: "GET", url: "https://bs.example.com/x", query: Array(params.dropLast()), headers: [:], body: [])
            return try await intake.receive(unsigned, provider: .vonage, credentials: ["signatureSecret": "s1gn"],
                                            settings: ["signatureMethod": "sha256"], now: now)
        }
    }
}

/// Percent-encoding for building test query strings.
enum FormDecodingTestEscape {
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
