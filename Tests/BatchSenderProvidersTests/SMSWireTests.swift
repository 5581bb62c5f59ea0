import BatchSenderSignatures
import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import BatchSenderTestServers
import Foundation
import Testing

@testable import BatchSenderProviders

/// Twilio, Telnyx and Vonage against fakes that check what they receive and answer with each
/// provider's documented success and error bodies (sources in each provider's doc comment).
@Suite struct SMSWireTests {
    static let accountSid = "AC" + String(repeating: "a", count: 32)
    static let publicURL = "https://bs.example.com/"

    // MARK: Twilio

    static func twilio(_ receiver: FakeReceiver, _ client: HTTPClient, settings: [String: JSONValue] = [:]) -> TwilioProvider {
        var configuration = Provide.configuration(
            .twilio, credentials: ["accountSid": accountSid, "authToken": "tok3n"],
            settings: settings.merging(["baseUrl": .string(receiver.url)]) { $1 })
        configuration.publicURL = publicURL
        return TwilioProvider(configuration: configuration, client: client)
    }

    @Test func twilioPostsTheDocumentedFormWithBasicAuth() async throws {
        let created = #"{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","num_segments":"1","error_code":null}"#
        try await withReceiver({ _, _ in .json(201, created) }) { receiver in
            try await withClient { client in
                let provider = Self.twilio(receiver, client, settings: ["messagingServiceSid": .string("MG" + String(repeating: "b", count: 32))])
                let message = try Provide.sms("Hi {{name}} & co")
                let outcomes = await provider.send([message])
                #expect(outcomes == [.accepted(providerMessageID: "SM0123456789abcdef0123456789abcdef", delivered: false)])
                let request = try #require(receiver.requests.first)
                #expect(request.method == "POST")
                #expect(request.path == "/2010-04-01/Accounts/\(Self.accountSid)/Messages.json")
                #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
                #expect(request.headers["authorization"] == "Basic " + Data("\(Self.accountSid):tok3n".utf8).base64EncodedString())
                let form = formFields(request.bodyText)
                #expect(form["To"] == "+14155550100")
                #expect(form["From"] == "+14155550199")
                #expect(form["Body"] == "Hi Ann & co")
                #expect(form["MessagingServiceSid"] == "MG" + String(repeating: "b", count: 32))
                let configID = try #require(provider.statusCallback?.split(separator: "/").last)
                #expect(form["StatusCallback"] == "https://bs.example.com/v1/events/twilio/\(configID)")
            }
        }
    }

    @Test(arguments: [
        (400, #"{"code":21211,"message":"The 'To' number 5551234567 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#, "reject", "21211"),
        (401, #"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#, "reject", "credentials"),
        (400, #"{"code":21610,"message":"Attempt to send to unsubscribed recipient","more_info":"https://www.twilio.com/docs/errors/21610","status":400}"#, "optedOut", "STOP"),
        (429, #"{"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429}"#, "retry", "20429"),
        (400, #"{"code":21611,"message":"This 'From' number has exceeded the maximum number of queued messages","status":400}"#, "retry", "21611"),
        (503, "Service Unavailable", "retry", "503"),
    ])
    func twilioFailuresAreClassified(status: Int, body: String, kind: String, mentions: String) async throws {
        try await withReceiver({ _, _ in .json(status, body) }) { receiver in
            try await withClient { client in
                let outcome = try #require(await Self.twilio(receiver, client).send([try Provide.sms()]).first)
                #expect(outcome.kind == kind, "\(outcome)")
                #expect(outcome.reason?.contains(mentions) == true, "\(outcome)")
            }
        }
    }

    // MARK: Telnyx

    static func telnyx(_ receiver: FakeReceiver, _ client: HTTPClient, profile: String? = nil) -> TelnyxProvider {
        var settings: [String: JSONValue] = ["baseUrl": .string(receiver.url)]
        if let profile { settings["messagingProfileId"] = .string(profile) }
        var configuration = Provide.configuration(.telnyx, credentials: ["apiKey": "KEY0123"], settings: settings)
        configuration.publicURL = publicURL
        return TelnyxProvider(configuration: configuration, client: client)
    }

    @Test func telnyxPostsJSONWithBearerAuth() async throws {
        let sent = #"{"data":{"record_type":"message","direction":"outbound","id":"40385f64-5717-4562-b3fc-2c963f66afa6","type":"SMS","to":[{"phone_number":"+14155550100","status":"queued"}],"parts":1,"errors":[]}}"#
        try await withReceiver({ _, _ in .json(200, sent) }) { receiver in
            try await withClient { client in
                let outcomes = await Self.telnyx(receiver, client, profile: "4000eba1-a0c0-4563-9925-b25e842a7cb6").send([try Provide.sms()])
                #expect(outcomes == [.accepted(providerMessageID: "40385f64-5717-4562-b3fc-2c963f66afa6", delivered: false)])
                let request = try #require(receiver.requests.first)
                #expect(request.path == "/v2/messages")
                #expect(request.headers["authorization"] == "Bearer KEY0123")
                let body = try #require(JSONValue.parse(request.bodyText))
                #expect(body["to"] == "+14155550100")
                #expect(body["from"] == "+14155550199")
                #expect(body["text"] == "Hello Ann")
                #expect(body["messaging_profile_id"] == "4000eba1-a0c0-4563-9925-b25e842a7cb6")
                #expect(body["webhook_url"]?.stringValue?.hasPrefix("https://bs.example.com/v1/events/telnyx/") == true)
            }
        }
    }

    @Test(arguments: [
        (429, #"{"errors":[{"code":"10011","title":"Too many requests","detail":"You have exceeded the maximum number of allowed requests."}]}"#, "retry", "10011"),
        (401, #"{"errors":[{"code":"10009","title":"Authentication failed","detail":"The API key looks malformed."}]}"#, "reject", "credentials"),
        (409, #"{"errors":[{"code":"40300","title":"Blocked due to STOP message","detail":"Messages cannot be sent from +14155550199 to +14155550100 due to an existing block rule."}]}"#, "optedOut", "STOP"),
        (400, #"{"errors":[{"code":"40310","title":"Invalid 'to' address","detail":"The 'to' address should be a single valid number."}]}"#, "reject", "40310"),
        (500, #"{"errors":[{"code":"10007","title":"Unexpected error"}]}"#, "retry", "10007"),
    ])
    func telnyxFailuresAreClassified(status: Int, body: String, kind: String, mentions: String) async throws {
        try await withReceiver({ _, _ in .json(status, body) }) { receiver in
            try await withClient { client in
                let outcome = try #require(await Self.telnyx(receiver, client).send([try Provide.sms()]).first)
                #expect(outcome.kind == kind, "\(outcome)")
                #expect(outcome.reason?.contains(mentions) == true, "\(outcome)")
            }
        }
    }

    // MARK: Vonage

    static func vonage(_ receiver: FakeReceiver, _ client: HTTPClient, signed: Bool = false) -> VonageProvider {
        var settings: [String: JSONValue] = ["baseUrl": .string(receiver.url)]
        if signed { settings["signRequests"] = true; settings["signatureMethod"] = "sha256" }
        var configuration = Provide.configuration(
            .vonage, credentials: ["apiKey": "abcd1234", "apiSecret": "s3cr3t", "signatureSecret": "sigsecret"], settings: settings)
        configuration.publicURL = publicURL
        return VonageProvider(configuration: configuration, client: client, now: { Date(timeIntervalSince1970: 1_700_000_000) })
    }

    @Test func vonagePostsTheDocumentedForm() async throws {
        let sent = #"{"message-count":"1","messages":[{"to":"14155550100","message-id":"3295d748-4e14-4681-af78-166dca3c5aab","status":"0","remaining-balance":"38.07","message-price":"0.04","network":"23420"}]}"#
        try await withReceiver({ _, _ in .json(200, sent) }) { receiver in
            try await withClient { client in
                let message = try Provide.sms("Привет {{name}}")
                let outcomes = await Self.vonage(receiver, client).send([message])
                #expect(outcomes == [.accepted(providerMessageID: "3295d748-4e14-4681-af78-166dca3c5aab", delivered: false)])
                let request = try #require(receiver.requests.first)
                #expect(request.path == "/sms/json")
                let form = formFields(request.bodyText)
                #expect(form["api_key"] == "abcd1234")
                #expect(form["api_secret"] == "s3cr3t")
                #expect(form["to"] == "14155550100", "Vonage numbers have no +")
                #expect(form["from"] == "14155550199")
                #expect(form["text"] == "Привет Ann")
                #expect(form["type"] == "unicode")
                #expect(form["client-ref"] == message.idempotencyKey)
                #expect(form["status-report-req"] == "1")
                #expect(form["callback"]?.hasPrefix("https://bs.example.com/v1/events/vonage/") == true)
            }
        }
    }

    @Test func vonageSignedRequestsCarryASigInsteadOfTheSecret() async throws {
        let sent = #"{"message-count":"1","messages":[{"message-id":"m1","status":"0"}]}"#
        try await withReceiver({ _, _ in .json(200, sent) }) { receiver in
            try await withClient { client in
                _ = await Self.vonage(receiver, client, signed: true).send([try Provide.sms()])
                let form = formFields(try #require(receiver.requests.first).bodyText)
                #expect(form["api_secret"] == nil)
                #expect(form["timestamp"] == "1700000000")
                let params = form.map { ($0.key, $0.value) }
                #expect(VonageSignature.isValid(try #require(form["sig"]), parameters: params, secret: "sigsecret", method: .sha256))
            }
        }
    }

    @Test(arguments: [
        (#"{"message-count":"1","messages":[{"status":"1","error-text":"Throttled"}]}"#, "retry", "Throttled"),
        (#"{"message-count":"1","messages":[{"status":"7","error-text":"Number barred."}]}"#, "reject", "Number barred"),
        (#"{"message-count":"1","messages":[{"status":"4","error-text":"Bad Credentials"}]}"#, "reject", "credentials"),
        (#"{"message-count":"1","messages":[{"status":"9","error-text":"Quota Exceeded - rejected"}]}"#, "retry", "credit"),
        (#"{"message-count":"2","messages":[{"message-id":"p1","status":"0"},{"status":"1","error-text":"Throttled"}]}"#, "reject", "earlier parts were sent"),
    ])
    func vonageStatusesAreClassified(body: String, kind: String, mentions: String) async throws {
        try await withReceiver({ _, _ in .json(200, body) }) { receiver in
            try await withClient { client in
                let outcome = try #require(await Self.vonage(receiver, client).send([try Provide.sms()]).first)
                #expect(outcome.kind == kind, "\(outcome)")
                #expect(outcome.reason?.contains(mentions) == true, "\(outcome)")
            }
        }
    }

    /// The official SDKs' vectors: vonage-node-sdk `packages/sms/__tests__/__dataSets__/signature.ts`
    /// and vonage-python-sdk `http_client/tests/test_auth.py`.
    @Test func vonageSignaturesMatchTheOfficialSDKVectors() {
        let params = [
            ("message-timestamp", "2013-11-21 15:27:30"), ("messageId", "020000001B0FE827"), ("msisdn", "14843472194"),
            ("text", "Test again"), ("timestamp", "1385047698"), ("to", "13239877404"), ("type", "text"),
        ]
        let secret = "my_secret_key_for_testing"
        let expected: [(VonageSignature.Method, String)] = [
            (.md5hash, "d2e7b1dc968737c5998ad624e02f90b7"),
            (.md5, "DDEBD46008C2D4E93CCE578A332A52D5"),
            (.sha1, "27D0D05C2876C7CB1720DBCDBA4D492E1E55C09A"),
            (.sha256, "DDB8397C2B90AAC7F3882D306475C9A5058C92322EEF43C92B298B6E0FC0D330"),
            (.sha512, "E0D3C650F8C9D1A5C174D10DDDBFB003E561F59B265616208B0487C5D819481CD3C311D59CF6165ECD1139622D5BA3A256C0D763AC4A9AD9144B5A426B94FE82"),
        ]
        for (method, signature) in expected {
            #expect(VonageSignature.sign(params, secret: secret, method: method) == signature.lowercased(), "\(method)")
            #expect(VonageSignature.isValid(signature, parameters: params + [("sig", signature)], secret: secret, method: method))
        }
        let escaped = [("param1", "value&1"), ("param2", "value=2"), ("timestamp", "1234567890")]
        #expect(VonageSignature.sign(escaped, secret: "signature_secret", method: .md5) == "2bbf0abafb2c55e5af6231513896a2ac")
        #expect(!VonageSignature.isValid("d2e7b1dc968737c5998ad624e02f90b8", parameters: params, secret: secret, method: .md5hash))
    }
}
