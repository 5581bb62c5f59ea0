import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import BatchSenderTestServers
import Foundation
import Testing

@testable import BatchSenderProviders

/// A provider answering with numbers no `Int` holds (`{"code":1e300}`) gets an outcome, not a
/// trap: a trap killed the server, and the re-queued recipient killed it again after restart.
@Suite struct HostileAnswerTests {
    @Test func twilioHugeCodes() async throws {
        let bodies = [(400, #"{"code":1e300,"message":"x"}"#), (201, #"{"sid":"SM1","status":"failed","error_code":-1e300}"#)]
        for (status, body) in bodies {
            try await withReceiver({ _, _ in .json(status, body) }) { receiver in
                try await withClient { client in
                    let outcome = try #require(await SMSWireTests.twilio(receiver, client).send([try Provide.sms()]).first)
                    #expect(outcome.kind == "reject", "\(outcome)")
                }
            }
        }
    }

    @Test func telnyxHugeCode() async throws {
        try await withReceiver({ _, _ in .json(400, #"{"errors":[{"code":1e300,"title":"x"}]}"#) }) { receiver in
            try await withClient { client in
                let outcome = try #require(await SMSWireTests.telnyx(receiver, client).send([try Provide.sms()]).first)
                #expect(outcome.kind == "reject", "\(outcome)")
                #expect(outcome.reason?.contains("1e+300") == true, "\(outcome)")
            }
        }
    }

    @Test func resendHugeIndex() async throws {
        let body = #"{"data":[{"id":"e1"}],"errors":[{"index":1e300,"message":"bad"},{"index":0.5,"message":"bad"}]}"#
        try await withReceiver({ _, _ in .json(200, body) }) { receiver in
            try await withClient { client in
                let provider = ResendProvider(
                    configuration: Provide.configuration(
                        .resend, credentials: ["apiKey": ResendWireTests.apiKey], settings: ["baseUrl": .string(receiver.url)]),
                    client: client)
                let outcomes = await provider.send(try Provide.emails(1))
                #expect(outcomes == [.accepted(providerMessageID: "e1", delivered: false)])
            }
        }
    }
}
