import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Testing

@Suite struct TemplateTests {
    @Test func emailHTMLIsEscapedAndTextIsRaw() throws {
        let templates = try PayloadTemplates(module: .email, payload: [
            "from": "news@example.com", "subject": "Hi {{name}} & co", "html": "<p>{{name}} {{{name}}}</p>",
            "text": "Hello {{name}}", "headers": ["X-Campaign": "{{campaign}}"],
        ])
        let message = templates.message(to: "ann@example.com", variables: ["name": "<Ann & \"B\">", "campaign": "nov"])
        guard case .email(let email) = message else { Issue.record("not an email"); return }
        #expect(email.subject == "Hi <Ann & \"B\"> & co")
        #expect(email.html == "<p>&lt;Ann &amp; &quot;B&quot;&gt; <Ann & \"B\"></p>")
        #expect(email.text == "Hello <Ann & \"B\">")
        #expect(email.headers == ["X-Campaign": "nov"])
        #expect(email.to == "ann@example.com")
    }

    @Test func toIsAVariableAndMissingValuesRenderEmpty() throws {
        let templates = try PayloadTemplates(module: .sms, payload: ["from": "ACME", "message": "For {{to}}: {{missing}}!"])
        #expect(templates.message(to: "+14155550100", variables: [:])
            == .sms(SMSMessage(to: "+14155550100", from: "ACME", message: "For +14155550100: !")))
    }

    @Test func webhookBodyStaysValidJSONWhateverTheValues() throws {
        let templates = try PayloadTemplates(module: .webhook, payload: [
            "method": "put", "headers": ["X-User": "{{id}}"],
            "body": ["text": "He said \"{{quote}}\"", "n": 3, "list": ["{{id}}", true], "nested": ["k": "{{quote}}"]],
        ])
        let nasty = "\"}, \"admin\": true, {\"\\\n"
        guard case .webhook(let hook) = templates.message(
            to: "https://example.com/h", variables: ["quote": .string(nasty), "id": 42])
        else { Issue.record("not a webhook"); return }
        #expect(hook.url == "https://example.com/h", "without url, `to` is the URL")
        #expect(hook.method == "PUT")
        #expect(hook.headers == ["X-User": "42"])
        let text = try #require(hook.body?.jsonText())
        let reparsed = try #require(JSONValue.parse(text))
        #expect(reparsed["text"] == .string("He said \"\(nasty)\""))
        #expect(reparsed["n"] == 3)
        #expect(reparsed["list"] == ["42", true])
        #expect(reparsed["admin"] == nil)
    }

    @Test func sectionsAndNestedVariablesWork() throws {
        let templates = try PayloadTemplates(module: .sms, payload: [
            "from": "ACME", "message": "{{#vip}}VIP {{/vip}}{{user.first}}{{^items}} none{{/items}}",
        ])
        let message = templates.message(to: "+14155550100", variables: ["vip": true, "user": ["first": "Ann"], "items": []])
        #expect(message == .sms(SMSMessage(to: "+14155550100", from: "ACME", message: "VIP Ann none")))
    }

    @Test func brokenTemplatesNameTheirField() {
        #expect(throws: TemplateError.self) {
            try PayloadTemplates(module: .email, payload: ["from": "a@b.co", "subject": "{{#open}}", "text": "x"])
        }
        let issues = PayloadValidator(addresses: AddressValidator()).issues(
            in: ["body": ["deep": ["{{/nope}}"]]], for: .webhook)
        #expect(issues.map(\.field) == ["payload.body.deep[0]"])
    }

    @Test func idempotencyKeyIsStableAndDotFree() {
        let batch = Batch.ID(rawValue: "bat_01JD3Y5Z8Q0000000000000000")
        let key = OutboundMessage.idempotencyKey(batch: batch, recipient: Recipient.ID(row: 17))
        #expect(key == "msg_01JD3Y5Z8Q0000000000000000_17")
        #expect(!key.contains("."))
    }
}

@Suite struct SendConfigValidatorTests {
    let validator = SendConfigValidator(addresses: AddressValidator())

    @Test func requiredCredentialsPerProvider() {
        #expect(validator.credentialIssues([:], provider: .resend).map(\.field) == ["credentials.apiKey"])
        #expect(validator.credentialIssues([:], provider: .ses).map(\.field)
            == ["credentials.accessKeyId", "credentials.secretAccessKey"])
        #expect(validator.credentialIssues([:], provider: .sandbox).isEmpty)
        #expect(validator.credentialIssues(["apiKey": "k", "extra": 1], provider: .resend).map(\.field) == ["credentials.extra"])
    }

    @Test func settingsShapes() {
        #expect(validator.settingsIssues(["baseUrl": "not a url"], provider: .resend).map(\.field) == ["settings.baseUrl"])
        // A local gateway needs private networks or an allowlist entry (CONTRACT §5).
        #expect(validator.settingsIssues(["baseUrl": "http://127.0.0.1:9000"], provider: .resend).map(\.field) == ["settings.baseUrl"])
        let open = SendConfigValidator(addresses: AddressValidator(allowPrivateNetworks: true))
        #expect(open.settingsIssues(["baseUrl": "http://127.0.0.1:9000"], provider: .resend).isEmpty)
        let listed = SendConfigValidator(addresses: AddressValidator(policy: NetworkPolicy(
            allowedPrivateHosts: PrivateHostAllowlist(blocks: [.init(address: .v4([127, 0, 0, 1]), length: 32)]))))
        #expect(listed.settingsIssues(["baseUrl": "http://127.0.0.1:9000"], provider: .resend).isEmpty)
        #expect(validator.settingsIssues(["host": "mx", "security": "ssl"], provider: .smtp).map(\.field) == ["settings.security"])
        #expect(validator.settingsIssues(["circuitBreaker": ["failureThreshold": 0]], provider: .http).map(\.field)
            == ["settings.circuitBreaker.failureThreshold"])
    }
}


@Suite struct InboundSecretValidationTests {
    @Test func inboundSecretMustBeAStandardWebhooksSecret() {
        let validator = SendConfigValidator(addresses: AddressValidator())
        #expect(validator.credentialIssues(["inboundSecret": "nope"], provider: .http).map(\.field) == ["credentials.inboundSecret"])
        let good = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()
        #expect(validator.credentialIssues(["inboundSecret": .string(good), "signingSecret": .string(good)], provider: .http).isEmpty)
    }
}
