import BatchSenderTestServers
import BatchSenderCore
import Foundation
import Testing

@testable import BatchSenderProviders

/// How the receiver's answers (or their absence) become outcomes.
@Suite struct WebhookClassificationTests {
    /// Sends one plain webhook to a receiver answering `response`; returns the outcome and how
    /// many requests arrived.
    private func deliver(
        _ response: ScriptedResponse, timeoutMs: Int? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> (DeliveryOutcome, Int) {
        try await withReceiver({ _, _ in response }) { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(), client: client, now: now)
                let outcome = await provider.send([try Make.message(url: receiver.url + "/hook", timeoutMs: timeoutMs)])[0]
                return (outcome, receiver.requests.count)
            }
        }
    }

    @Test(arguments: [200, 201, 202, 204, 299])
    func success(status: Int) async throws {
        let (outcome, count) = try await deliver(ScriptedResponse(status: status, body: "thanks"))
        guard case .accepted(let id, let delivered) = outcome else {
            Issue.record("expected accepted, got \(outcome)")
            return
        }
        #expect(id.hasPrefix("msg_") && delivered)
        #expect(count == 1)
    }

    @Test func redirectIsNotFollowed() async throws {
        let (outcome, count) = try await deliver(ScriptedResponse(status: 301, location: "http://127.0.0.1:1/elsewhere"))
        #expect(outcome == .reject(reason: "HTTP 301: redirect to http://127.0.0.1:1/elsewhere not followed"))
        #expect(count == 1)
    }

    @Test(arguments: [400, 401, 403, 404, 410, 422])
    func permanentClientErrors(status: Int) async throws {
        let (outcome, _) = try await deliver(ScriptedResponse(status: status, body: "no such hook\nsorry"))
        #expect(outcome == .reject(reason: "HTTP \(status): no such hook sorry"))
    }

    @Test func longErrorBodyIsCut() async throws {
        let (outcome, _) = try await deliver(ScriptedResponse(status: 400, body: String(repeating: "x", count: 10_000)))
        let reason = try #require(outcome.reason)
        #expect(outcome.isReject)
        #expect(reason.hasPrefix("HTTP 400: xxx"))
        #expect(reason.count <= 220)
    }

    @Test(arguments: [408, 425, 429, 500, 502, 503, 504])
    func transientStatuses(status: Int) async throws {
        let (outcome, _) = try await deliver(ScriptedResponse(status: status, body: "busy"))
        #expect(outcome == .retry(reason: "HTTP \(status): busy", after: nil))
    }

    @Test func retryAfterSecondsIsHonoured() async throws {
        let (outcome, _) = try await deliver(ScriptedResponse(status: 429, retryAfter: "7"))
        #expect(outcome == .retry(reason: "HTTP 429", after: 7))
    }

    @Test func retryAfterHTTPDateIsHonoured() async throws {
        let now = Date(timeIntervalSince1970: 1_767_225_600)  // Thu, 01 Jan 2026 00:00:00 GMT
        let (outcome, _) = try await deliver(
            ScriptedResponse(status: 503, retryAfter: "Thu, 01 Jan 2026 00:02:00 GMT"), now: { now })
        #expect(outcome == .retry(reason: "HTTP 503", after: 120))
    }

    @Test func absurdRetryAfterIsBounded() {
        #expect(WebhookClassifier.parseRetryAfter("inf", now: Date()) == nil)
        #expect(WebhookClassifier.parseRetryAfter("99999999", now: Date()) == WebhookClassifier.maxRetryAfter)
        #expect(WebhookClassifier.parseRetryAfter("soon", now: Date()) == nil)
    }

    @Test func timeoutIsRetried() async throws {
        // Long enough that a loaded machine still connects and sends before the deadline.
        let (outcome, count) = try await deliver(ScriptedResponse(stall: true), timeoutMs: 1_500)
        #expect(outcome == .retry(reason: "timed out after 1500 ms", after: nil))
        #expect(count == 1)
    }

    @Test func connectionRefusedIsRetried() async throws {
        // A port that was just listening and is now closed.
        let receiver = try await FakeReceiver.start()
        let url = receiver.url
        await receiver.stop()
        let outcome = try await withClient { client in
            let provider = WebhookProvider(configuration: Make.configuration(), client: client)
            return await provider.send([try Make.message(url: url)])[0]
        }
        #expect(outcome == .retry(reason: "connection failed: Connection refused", after: nil))
    }

    @Test func everyMessageGetsOneOutcomeInOrder() async throws {
        let outcomes = try await withReceiver({ request, _ in
            ScriptedResponse(status: request.path == "/ok" ? 200 : 404)
        }) { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(), client: client)
                return await provider.send([
                    try Make.message(url: receiver.url + "/ok"), try Make.message(url: receiver.url + "/missing"),
                ])
            }
        }
        #expect(outcomes.count == 2)
        #expect(!outcomes[0].isReject && outcomes[1].isReject)
    }

    @Test func excerptIsOneLine() {
        #expect(WebhookClassifier.excerpt("  a\r\nb\n\nc  ") == "a b c")
        #expect(WebhookClassifier.excerpt(String(repeating: "é", count: 300)).count == 201)
    }
}
