import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import BatchSenderTestServers
import Foundation
import Testing

@testable import BatchSenderProviders

/// The SES v2 provider against moto in server mode (a real emulator of the SES v2 API, PyPI
/// `moto[server]`, run by `scripts/test-servers/moto_ses.py`), and against a fake for the
/// failures moto does not emulate (throttling, suspended accounts, bad credentials).
@Suite struct SESTests {
    static let installHint = "The SES tests need moto: python3 -m pip install -r scripts/test-servers/requirements.txt"

    static func provider(baseURL: String, client: HTTPClient, region: String = "us-east-1") -> SESProvider {
        SESProvider(
            configuration: Provide.configuration(
                .ses, credentials: ["accessKeyId": "AKIDEXAMPLE", "secretAccessKey": "secret", "sessionToken": "tok"],
                settings: ["baseUrl": .string(baseURL), "region": .string(region), "configurationSet": "events"]),
            client: client)
    }

    @Test func sendsThroughMotoAndTheMessageArrivesIntact() async throws {
        let moto = try await PythonTestServer(script: "moto_ses.py", arguments: ["--identity", "example.com"], installHint: Self.installHint)
        defer { moto.stop() }
        try await withClient { client in
            let messages = try Provide.emails(2, payload: [
                "from": "news@example.com", "fromName": "Zoë News", "subject": "Grüße {{name}}", "text": "Hallo {{name}}",
                "html": "<p>Hallo {{name}}</p>", "replyTo": "help@example.com",
                "unsubscribeUrl": "https://example.com/u/{{name}}",
            ])
            let outcomes = await Self.provider(baseURL: moto.url, client: client).send(messages)
            var ids: [String] = []
            for outcome in outcomes {
                guard case .accepted(let id, false) = outcome else { Issue.record("not accepted: \(outcome)"); continue }
                ids.append(id)
            }
            let data = try await client.get(url: moto.url + "/moto-api/data.json").get()
            let state = try #require(data.body.map { JSONValue.parse(String(buffer: $0)) } ?? nil)
            let sent = try #require(state["ses"]?["Message"]?.arrayValue)
            #expect(Set(sent.compactMap { $0["id"]?.stringValue }) == Set(ids))
            let first = try #require(sent.first { $0["destinations"]?["ToAddresses"] == ["user1@example.com"] })
            #expect(first["subject"] == "Grüße N1")
            #expect(first["body"] == "<p>Hallo N1</p>", "moto keeps the HTML part when there is one")
            #expect(first["source"]?.stringValue?.hasSuffix("<news@example.com>") == true)
        }
    }

    @Test func anUnverifiedSenderIsRejectedWithSESsReason() async throws {
        let moto = try await PythonTestServer(script: "moto_ses.py", arguments: ["--identity", "example.com"], installHint: Self.installHint)
        defer { moto.stop() }
        try await withClient { client in
            let messages = try Provide.emails(1, payload: ["from": "news@unverified.example", "subject": "s", "text": "t"])
            let outcome = try #require(await Self.provider(baseURL: moto.url, client: client).send(messages).first)
            #expect(outcome.isReject)
            #expect(outcome.reason?.contains("MessageRejected") == true, "\(outcome)")
            #expect(outcome.reason?.contains("not verified") == true, "\(outcome)")
        }
    }

    @Test func theRequestIsSignedAndShapedAsTheModelSays() async throws {
        try await withReceiver({ _, _ in .json(200, #"{"MessageId":"0100018c-abc"}"#) }) { receiver in
            try await withClient { client in
                let messages = try Provide.emails(1)
                let outcomes = await Self.provider(baseURL: receiver.url, client: client, region: "eu-west-1").send(messages)
                #expect(outcomes == [.accepted(providerMessageID: "0100018c-abc", delivered: false)])
                let request = try #require(receiver.requests.first)
                #expect(request.path == "/v2/email/outbound-emails")
                let authorization = try #require(request.headers["authorization"])
                #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
                #expect(authorization.contains("/eu-west-1/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "))
                #expect(request.headers["x-amz-security-token"] == "tok")
                #expect(request.headers["host"] == "127.0.0.1:\(receiver.port)")
                let body = try #require(JSONValue.parse(request.bodyText))
                #expect(body["FromEmailAddress"] == "Example News <news@example.com>")
                #expect(body["Destination"]?["ToAddresses"] == ["user1@example.com"])
                #expect(body["Content"]?["Simple"]?["Subject"]?["Data"] == "Hi N1")
                #expect(body["Content"]?["Simple"]?["Body"]?["Html"]?["Charset"] == "UTF-8")
                #expect(body["ConfigurationSetName"] == "events")
                #expect(body["EmailTags"]?.arrayValue?.count == 2)
            }
        }
    }

    @Test(arguments: [
        (429, "TooManyRequestsException:http://internal.amazon.com/coral/", #"{"message":"Maximum sending rate exceeded."}"#, "retry"),
        (400, nil, #"{"__type":"ThrottlingException","message":"Daily message quota exceeded."}"#, "retry"),
        (400, "SendingPausedException", #"{"message":"Sending is paused for this account."}"#, "retry"),
        (400, "AccountSuspendedException", #"{"message":"Your account is suspended."}"#, "reject"),
        (400, "MailFromDomainNotVerifiedException", #"{"message":"Domain not verified."}"#, "reject"),
        (403, "UnrecognizedClientException", #"{"message":"The security token included in the request is invalid."}"#, "reject"),
        (500, "InternalFailure", #"{"message":"We encountered an internal error."}"#, "retry"),
    ])
    func failuresAreClassified(status: Int, type: String?, body: String, kind: String) async throws {
        let headers = type.map { ["x-amzn-errortype": $0] } ?? [:]
        try await withReceiver({ _, _ in .json(status, body, headers: headers) }) { receiver in
            try await withClient { client in
                let outcome = try #require(await Self.provider(baseURL: receiver.url, client: client).send(try Provide.emails(1)).first)
                #expect(kind == "retry" ? outcome.isRetry : outcome.isReject, "\(outcome)")
                let expectedType = (type ?? "ThrottlingException").split(separator: ":").first.map(String.init) ?? ""
                #expect(outcome.reason?.contains(expectedType) == true, "\(outcome)")
                if type == "UnrecognizedClientException" { #expect(outcome.reason?.contains("credentials") == true) }
                if body.contains("Daily"), case .retry(_, let after) = outcome { #expect(after == 3600) }
            }
        }
    }

    @Test func nonASCIIDisplayNamesAreEncodedWords() {
        #expect(Mailbox.sevenBitName("Plain Name") == "Plain Name")
        #expect(Mailbox.sevenBitName("Zoë") == "=?UTF-8?B?Wm/Dqw==?=")
        let long = Mailbox.sevenBitName(String(repeating: "ü", count: 40))
        #expect(long.split(separator: " ").allSatisfy { $0.count <= 75 })
        #expect(long.split(separator: " ").count == 2)
    }
}
