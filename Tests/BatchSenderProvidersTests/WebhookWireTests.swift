import BatchSenderSignatures
import BatchSenderTestServers
import BatchSenderCore
import BatchSenderDelivery
import Crypto
import Foundation
import Testing

@testable import BatchSenderProviders

/// What goes on the wire: method, headers, body, signature.
@Suite struct WebhookWireTests {
    @Test func sendsDefaultHeadersAndValidJSONBody() async throws {
        let tricky = "Ann \"the\" O'Neil\nline two\\ {}"
        let key = OutboundMessage.idempotencyKey(batch: Make.batchID, recipient: .init(rawValue: "rcp_1"))
        let (outcome, requests) = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(), client: client)
                let message = try Make.message(
                    payload: ["url": .string(receiver.url + "/hooks/{{id}}"), "body": ["text": "Hi {{name}}", "n": 1]],
                    to: "https://ignored.example/", variables: ["name": .string(tricky), "id": "42"])
                let outcomes = await provider.send([message])
                return (outcomes[0], receiver.requests)
            }
        }
        #expect(outcome == .accepted(providerMessageID: key, delivered: true))
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.path == "/hooks/42")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["user-agent"] == "BatchSender/1.0")
        #expect(request.headers["webhook-id"] == key)
        #expect(request.headers["webhook-signature"] == nil)
        let timestamp = try #require(request.headers["webhook-timestamp"].flatMap { Int($0) })
        #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 300)
        // Compact JSON that parses back to exactly what was rendered.
        #expect(!request.bodyText.contains("\n"))
        let parsed = try #require(JSONValue.parse(request.bodyText))
        #expect(parsed == ["text": .string("Hi " + tricky), "n": 1])
    }

    @Test func webhookIDIsStableAcrossAttempts() async throws {
        let requests = try await withReceiver({ _, index in ScriptedResponse(status: index == 0 ? 503 : 200) }) { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(), client: client)
                let first = try Make.message(payload: ["body": ["a": 1]], to: receiver.url + "/x", row: 7, attempt: 1)
                let second = try Make.message(payload: ["body": ["a": 1]], to: receiver.url + "/x", row: 7, attempt: 2)
                #expect(await provider.send([first])[0].isRetry)
                #expect(await provider.send([second])[0] == .accepted(providerMessageID: first.idempotencyKey, delivered: true))
                return receiver.requests
            }
        }
        #expect(requests.count == 2)
        #expect(requests[0].headers["webhook-id"] == requests[1].headers["webhook-id"])
        #expect(requests[0].headers["webhook-id"]?.contains(".") == false)
    }

    @Test func customHeadersAndMethodNeverOverrideOurs() async throws {
        let request = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(signingSecret: Make.secret), client: client)
                let message = try Make.message(
                    payload: [
                        "method": "put",
                        "headers": [
                            "Content-Type": "application/vnd.acme+json", "X-Customer": "{{name}}",
                            "webhook-id": "forged", "User-Agent": "evil", "webhook-signature": "v1,forged",
                            "Content-Length": "1",
                        ],
                        "body": ["name": "{{name}}"],
                    ],
                    to: receiver.url + "/put", variables: ["name": "Zoë"])
                #expect(await provider.send([message])[0] == .accepted(providerMessageID: message.idempotencyKey, delivered: true))
                return try #require(receiver.requests.first)
            }
        }
        #expect(request.method == "PUT")
        #expect(request.headers["content-type"] == "application/vnd.acme+json")
        #expect(request.headers["x-customer"] == "Zoë")
        #expect(request.headers["user-agent"] == "BatchSender/1.0")
        #expect(request.headers["webhook-id"]?.hasPrefix("msg_") == true)
        #expect(request.headers["webhook-signature"]?.hasPrefix("v1,") == true)
        #expect(request.headers["webhook-signature"]?.contains("forged") == false)
        #expect(request.bodyText == #"{"name":"Zoë"}"#)
    }

    @Test func bodylessGetIsSentWithoutBody() async throws {
        let request = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(), client: client)
                let message = try Make.message(payload: ["method": "GET"], to: receiver.url + "/ping?x=1")
                #expect(await provider.send([message])[0] == .accepted(providerMessageID: message.idempotencyKey, delivered: true))
                return try #require(receiver.requests.first)
            }
        }
        #expect(request.method == "GET")
        #expect(request.body.isEmpty)
        #expect(request.headers["webhook-id"] != nil)
    }

    @Test func headerWithLineBreakIsRejectedNotSent() async throws {
        let (outcome, count) = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(), client: client)
                let message = try Make.message(
                    payload: ["headers": ["X-Name": "{{name}}"]], to: receiver.url,
                    variables: ["name": "a\r\nX-Injected: 1"])
                return (await provider.send([message])[0], receiver.requests.count)
            }
        }
        #expect(outcome == .reject(reason: "header X-Name contains a line break"))
        #expect(count == 0)
    }

    @Test func signatureVerifiesWithIndependentHMAC() async throws {
        let request = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(signingSecret: Make.secret), client: client)
                let message = try Make.message(
                    payload: ["body": ["q": "{{name}}"]], to: receiver.url, variables: ["name": "x\"y\nz"])
                _ = await provider.send([message])
                return try #require(receiver.requests.first)
            }
        }
        let id = try #require(request.headers["webhook-id"])
        let timestamp = try #require(request.headers["webhook-timestamp"])
        let signature = try #require(request.headers["webhook-signature"])
        let key = try #require(Data(base64Encoded: String(Make.secret.dropFirst("whsec_".count))))
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(id).\(timestamp).".utf8) + Data(request.body), using: SymmetricKey(data: key))
        #expect(signature == "v1," + Data(mac).base64EncodedString())
    }

    @Test(.enabled(if: PythonStandardWebhooks.isInstalled, PythonStandardWebhooks.skipMessage))
    func signatureVerifiesWithReferencePythonPackage() async throws {
        let request = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(signingSecret: Make.secret), client: client)
                let message = try Make.message(
                    payload: ["body": ["q": "{{name}}", "list": [1, .double(2.5), nil, true]]], to: receiver.url,
                    variables: ["name": "ünïcode \"quotes\"\n"])
                _ = await provider.send([message])
                return try #require(receiver.requests.first)
            }
        }
        let verdict = try PythonStandardWebhooks.verify(secret: Make.secret, headers: request.headers, body: request.bodyText)
        #expect(verdict == "ok")
        // And the check can fail: one changed byte of the body.
        let tampered = try PythonStandardWebhooks.verify(secret: Make.secret, headers: request.headers, body: request.bodyText + " ")
        #expect(tampered.hasPrefix("WebhookVerificationError"))
    }

    @Test func invalidSecretRefusesInsteadOfSendingUnsigned() async throws {
        let (outcome, count) = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(signingSecret: "whsec_@@@not-base64"), client: client)
                return (await provider.send([try Make.message(url: receiver.url)])[0], receiver.requests.count)
            }
        }
        #expect(outcome.isReject)
        #expect(count == 0)
    }

    @Test func destinationIsTheLowercasedHost() throws {
        let provider = WebhookProvider(configuration: Make.configuration(), client: .shared)
        #expect(provider.destination(of: try Make.message(url: "https://Hooks.Example.COM:8443/a?b")) == "hooks.example.com")
        #expect(provider.maxBatchSize == 1)
    }

    @Test func signerMatchesTheSpecExampleShape() throws {
        // Unpadded base64 is accepted, as the reference implementation does.
        let padded = try #require(StandardWebhookSigner(secret: Make.secret))
        let unpadded = try #require(StandardWebhookSigner(secret: Make.secret.trimmingCharacters(in: CharacterSet(charactersIn: "="))))
        let a = padded.signature(id: "msg_1", timestamp: 1_674_087_231, body: Array("{}".utf8))
        #expect(a == unpadded.signature(id: "msg_1", timestamp: 1_674_087_231, body: Array("{}".utf8)))
        #expect(a.hasPrefix("v1,") && Data(base64Encoded: String(a.dropFirst(3)))?.count == 32)
        #expect(StandardWebhookSigner(secret: "whsec_") == nil)
    }
}
