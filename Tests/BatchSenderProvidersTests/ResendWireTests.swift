import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import BatchSenderTestServers
import Foundation
import Testing

@testable import BatchSenderProviders

/// The Resend provider against a fake `POST /emails/batch` that answers as Resend documents
/// (resend-openapi `resend.yaml`; error bodies from resend-node's recorded API traffic).
@Suite struct ResendWireTests {
    static let apiKey = "re_test_123456"

    /// A fake Resend: ids for every email, or per-index errors in permissive mode.
    static func resend(rejecting rejected: Set<Int> = []) -> FakeReceiver.Script {
        { request, call in
            guard request.method == "POST", request.path == "/emails/batch",
                request.headers["authorization"] == "Bearer \(apiKey)"
            else { return .json(401, #"{"statusCode":401,"message":"Missing API key in the authorization header.","name":"missing_api_key"}"#) }
            let items = JSONValue.parse(request.bodyText)?.arrayValue ?? []
            let ids = items.indices.filter { !rejected.contains($0) }.map { #"{"id":"email-\#(call)-\#($0)"}"# }
            let errors = rejected.sorted().map { #"{"index":\#($0),"message":"Invalid `to` field."}"# }
            return .json(200, #"{"data":[\#(ids.joined(separator: ","))],"errors":[\#(errors.joined(separator: ","))]}"#)
        }
    }

    func provider(_ receiver: FakeReceiver, _ client: HTTPClientHandle) -> ResendProvider {
        ResendProvider(
            configuration: Provide.configuration(.resend, credentials: ["apiKey": Self.apiKey], settings: ["baseUrl": .string(receiver.url)]),
            client: client.client)
    }

    @Test func sendsOneBatchCallWithTheDocumentedShape() async throws {
        try await withReceiver(Self.resend()) { receiver in
            try await withClient { client in
                let messages = try Provide.emails(3)
                let outcomes = await provider(receiver, HTTPClientHandle(client)).send(messages)
                #expect(outcomes == (0..<3).map { .accepted(providerMessageID: "email-0-\($0)", delivered: false) })
                let requests = receiver.requests
                try #require(requests.count == 1)
                let request = requests[0]
                #expect(request.headers["content-type"] == "application/json")
                #expect(request.headers["x-batch-validation"] == "permissive")
                let key = try #require(request.headers["idempotency-key"])
                #expect((1...256).contains(key.count))
                let items = try #require(JSONValue.parse(request.bodyText)?.arrayValue)
                #expect(items.count == 3)
                let first = items[0]
                #expect(first["from"] == "Example News <news@example.com>")
                #expect(first["to"] == ["user1@example.com"])
                #expect(first["subject"] == "Hi N1")
                #expect(first["html"] == "<p>Hello N1</p>")
                #expect(first["text"] == "Hello N1")
                #expect(first["tags"]?.arrayValue?.first?["name"] == "batch_id")
            }
        }
    }

    @Test func theIdempotencyKeyIsTheSameWhenTheSameRecipientsAreRetried() async throws {
        try await withReceiver(Self.resend()) { receiver in
            try await withClient { client in
                let resend = provider(receiver, HTTPClientHandle(client))
                _ = await resend.send(try Provide.emails(2))
                _ = await resend.send(try Provide.emails(2))
                _ = await resend.send(try Provide.emails(3))
                let keys = receiver.requests.map { $0.headers["idempotency-key"] }
                #expect(keys[0] == keys[1])
                #expect(keys[0] != keys[2])
            }
        }
    }

    @Test func permissiveErrorsFailOnlyTheirOwnEmail() async throws {
        try await withReceiver(Self.resend(rejecting: [1])) { receiver in
            try await withClient { client in
                let outcomes = await provider(receiver, HTTPClientHandle(client)).send(try Provide.emails(3))
                #expect(outcomes[0] == .accepted(providerMessageID: "email-0-0", delivered: false))
                #expect(outcomes[1] == .reject(reason: "resend: Invalid `to` field."))
                #expect(outcomes[2] == .accepted(providerMessageID: "email-0-2", delivered: false))
            }
        }
    }

    @Test func rateLimitsAreRetriedAfterRetryAfter() async throws {
        let body = #"{"statusCode":429,"message":"Too many requests. Please limit the number of requests per second.","name":"rate_limit_exceeded"}"#
        try await withReceiver({ _, _ in .json(429, body, headers: ["retry-after": "2", "ratelimit-limit": "2"]) }) { receiver in
            try await withClient { client in
                let outcomes = await provider(receiver, HTTPClientHandle(client)).send(try Provide.emails(2))
                for outcome in outcomes {
                    guard case .retry(let reason, let after) = outcome else { Issue.record("not a retry: \(outcome)"); continue }
                    #expect(after == 2)
                    #expect(reason.contains("rate_limit_exceeded"))
                }
            }
        }
    }

    @Test(arguments: [
        (401, #"{"statusCode":401,"message":"Missing API key in the authorization header.","name":"missing_api_key"}"#, false),
        (403, #"{"statusCode":403,"message":"API key is invalid.","name":"invalid_api_key"}"#, false),
        (422, #"{"name":"validation_error","message":"Invalid `from` field.","statusCode":422}"#, false),
        (429, #"{"statusCode":429,"message":"You have reached your monthly email sending quota.","name":"monthly_quota_exceeded"}"#, false),
        (409, #"{"statusCode":409,"message":"Same idempotency key used while original request is still in progress.","name":"concurrent_idempotent_requests"}"#, true),
        (500, #"{"statusCode":500,"message":"An unexpected error occurred.","name":"application_error"}"#, true),
        (503, "<html>unavailable</html>", true),
    ])
    func failuresAreClassified(status: Int, body: String, transient: Bool) async throws {
        try await withReceiver({ _, _ in .json(status, body) }) { receiver in
            try await withClient { client in
                let outcomes = await provider(receiver, HTTPClientHandle(client)).send(try Provide.emails(2))
                #expect(outcomes.count == 2)
                #expect(outcomes.allSatisfy { transient ? $0.isRetry : $0.isReject }, "\(outcomes)")
                #expect(outcomes[0].reason?.contains("HTTP \(status)") == true)
                if status == 401 || status == 403 { #expect(outcomes[0].reason?.contains("credentials") == true) }
            }
        }
    }

    @Test func anUnreachableAPIIsRetried() async throws {
        try await withClient { client in
            let resend = ResendProvider(
                configuration: Provide.configuration(.resend, credentials: ["apiKey": Self.apiKey], settings: ["baseUrl": "http://127.0.0.1:9"]),
                client: client)
            let outcomes = await resend.send(try Provide.emails(1))
            #expect(outcomes.count == 1 && outcomes[0].isRetry, "\(outcomes)")
        }
    }

    @Test func displayNamesWithSpecialsAreQuoted() {
        #expect(Mailbox.format(name: "Doe, John", address: "j@example.com") == #""Doe, John" <j@example.com>"#)
        #expect(Mailbox.format(name: "Zoë", address: "z@example.com") == "Zoë <z@example.com>")
        #expect(Mailbox.format(name: " ", address: "z@example.com") == "z@example.com")
        #expect(Mailbox.format(name: #"A "B""#, address: "a@example.com") == #""A \"B\"" <a@example.com>"#)
    }
}

/// Lets a test hand the shared client around without naming AsyncHTTPClient everywhere.
struct HTTPClientHandle {
    let client: HTTPClient
    init(_ client: HTTPClient) { self.client = client }
}
