import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Testing

@Suite struct EmailAndSMSPayloadTests {
    let validator = PayloadValidator(addresses: AddressValidator())

    @Test func anHTTPSUnsubscribeURLGivesBothRFC8058Headers() throws {
        let templates = try PayloadTemplates(module: .email, payload: [
            "from": "news@example.com", "subject": "Hi", "text": "Hello",
            "unsubscribeUrl": "https://example.com/unsub?u={{id}}",
        ])
        guard case .email(let email) = templates.message(to: "ann@example.com", variables: ["id": "a1"]) else {
            Issue.record("not an email"); return
        }
        #expect(email.headers["List-Unsubscribe"] == "<https://example.com/unsub?u=a1>")
        #expect(email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
    }

    @Test func theSendConfigsUnsubscribeURLIsTheDefaultAndMailtoHasNoOneClick() throws {
        let settings: [String: JSONValue] = ["unsubscribeUrl": "mailto:unsub@example.com?subject={{to}}"]
        let templates = try PayloadTemplates(
            module: .email, payload: ["from": "news@example.com", "subject": "Hi", "text": "Hello"], settings: settings)
        guard case .email(let email) = templates.message(to: "ann@example.com", variables: [:]) else {
            Issue.record("not an email"); return
        }
        #expect(email.headers["List-Unsubscribe"] == "<mailto:unsub@example.com?subject=ann@example.com>")
        #expect(email.headers["List-Unsubscribe-Post"] == nil, "one-click needs an https URI (RFC 8058 §3.1)")
        let own = try PayloadTemplates(
            module: .email,
            payload: ["from": "news@example.com", "subject": "Hi", "text": "x", "unsubscribeUrl": "https://a.example/u"],
            settings: settings)
        guard case .email(let second) = own.message(to: "b@example.com", variables: [:]) else { return }
        #expect(second.headers["List-Unsubscribe"] == "<https://a.example/u>", "the payload's link wins")
    }

    @Test func anUnsubscribeURLThatRendersEmptyAddsNoHeader() throws {
        let templates = try PayloadTemplates(module: .email, payload: [
            "from": "news@example.com", "subject": "Hi", "text": "Hello", "unsubscribeUrl": "{{link}}",
        ])
        guard case .email(let email) = templates.message(to: "ann@example.com", variables: [:]) else { return }
        #expect(email.headers.isEmpty)
    }

    @Test func aLiteralUnsubscribeURLMustBeHTTPSOrMailto() {
        let issues = validator.issues(
            in: ["from": "a@example.com", "subject": "s", "text": "t", "unsubscribeUrl": "ftp://example.com/u"],
            for: .email)
        #expect(issues.map(\.field) == ["payload.unsubscribeUrl"])
    }

    @Test func aLiteralSMSOverTheSegmentLimitIsRefusedAtCreation() {
        let long = String(repeating: "a", count: 161)
        var limited = validator
        limited.maxSMSSegments = 1
        let issues = limited.issues(in: ["from": "ACME", "message": .string(long)], for: .sms)
        #expect(issues.map(\.field) == ["payload.message"])
        #expect(issues.first?.message.contains("2 segments") == true)
        #expect(validator.issues(in: ["from": "ACME", "message": .string(long)], for: .sms).isEmpty)
        #expect(limited.issues(in: ["from": "ACME", "message": "{{text}}"], for: .sms).isEmpty,
                "a templated message is measured when rendered")
    }

    @Test func theSendConfigsMaxSegmentsSetsTheLimit() {
        let config = SendConfig(
            id: .generate(), workspaceID: .generate(), name: "sms", module: .sms, provider: .twilio,
            sealedCredentials: Data(), credentialHints: [:], settings: ["maxSegments": 3], rateLimit: nil,
            maxConcurrency: nil, createdAt: Date(), updatedAt: Date())
        #expect(PayloadValidator(addresses: AddressValidator(), config: config).maxSMSSegments == 3)
    }

    @Test func renderedSMSReportsItsSegments() {
        let message = RenderedMessage.sms(SMSMessage(to: "+14155550100", from: "ACME", message: "Привет"))
        #expect(message.smsSegments?.encoding == .ucs2)
        #expect(message.smsSegments?.count == 1)
        #expect(RenderedMessage.email(EmailMessage(to: "a@example.com", from: "b@example.com", subject: "s")).smsSegments == nil)
    }
}
