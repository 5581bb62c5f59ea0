import BatchSenderTestServers
import BatchSenderTesting
import Foundation
import Synchronization
import Testing

/// SES events through SNS, through the real binary: the subscription is confirmed by calling
/// its SubscribeURL, the signing certificate is fetched from the (allowed) URL SNS names, and a
/// signed bounce notification bounces and suppresses the recipient. The fake SNS host is local,
/// so the test narrows BATCHSENDER_SNS_CERT_URL_PATTERN to it.
@Suite(.serialized) struct SNSEndToEndTests {
    let database = Binary.temporaryDatabase()

    final class Box: Sendable {
        let pem = Mutex<String>("")
    }

    @Test func subscriptionIsConfirmedAndSignedBouncesApply() async throws {
        let box = Box()
        // One fake plays both SES (SendEmail) and the SNS host (certificate, subscription).
        let fake = try await FakeReceiver.start { request, _ in
            if request.path.hasSuffix(".pem") { return ScriptedResponse(status: 200, body: box.pem.withLock { $0 }) }
            if request.method == "GET" { return .json(200, "<ConfirmSubscriptionResponse/>") }
            let to = ((try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]).flatMap {
                (($0["Destination"] as? [String: Any])?["ToAddresses"] as? [String])?.first
            } ?? "?"
            return .json(200, #"{"MessageId":"ses-\#(to)"}"#)
        }
        defer { Task { await fake.stop() } }
        let fixtures = FileManager.default.temporaryDirectory.appendingPathComponent("bs-sns-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: fixtures) }
        _ = try PythonScript.output(
            "sns_sign.py", ["--out", fixtures.path, "--quiet", "--base", fake.url, "--ses-message-id", "ses-ann@example.com"])
        box.pem.withLock { $0 = (try? String(contentsOf: fixtures.appendingPathComponent("cert.pem"), encoding: .utf8)) ?? "" }

        let (server, key) = try await ServerProcess.started(databasePath: database, environment: [
            "BATCHSENDER_SNS_CERT_URL_PATTERN": #"^http://127\.0\.0\.1:\#(fake.port)/"#,
            "BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true",
        ])
        defer { server.kill9() }
        let (_, config) = try await server.request("POST", "/v1/send-configs", key: key, body: JSON.encode([
            "module": "email", "provider": "ses", "credentials": ["accessKeyId": "AKIDEXAMPLE", "secretAccessKey": "secret"],
            "settings": ["baseUrl": fake.url, "region": "us-east-1", "snsTopicArn": "arn:aws:sns:us-east-1:123456789012:ses-events"],
        ]))
        let configID = try #require(JSON.string(config, "id"))
        let (_, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": configID, "recipients": [["to": "ann@example.com"], ["to": "bob@example.com"]],
            "payload": ["from": "news@example.com", "subject": "Hi", "text": "Hello"],
        ]))
        let batchID = try #require(JSON.string(batch, "id"))
        _ = try await server.request("POST", "/v1/batches/\(batchID)/send", key: key)
        _ = try await server.waitForBatch(batchID, key: key) { $0["status"] as? String == "completed" }

        func post(_ name: String, edit: (String) -> String = { $0 }) async throws -> (Int, String) {
            let body = edit(try String(contentsOf: fixtures.appendingPathComponent("\(name).json"), encoding: .utf8))
            return try await server.request("POST", "/v1/events/ses/\(configID)", body: body, headers: [
                "Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification",
            ])
        }
        let (subscribed, answer) = try await post("sns_subscription_confirmation_v1")
        #expect(subscribed == 200, "\(answer)")
        #expect(fake.requests.contains { $0.method == "GET" && $0.query.hasPrefix("Action=ConfirmSubscription") })

        #expect(try await post("sns_notification_v2") { $0.replacingOccurrences(of: "Permanent", with: "Transient") }.0 == 401)
        let (status, report) = try await post("sns_notification_v2")
        #expect(status == 200, "\(report)")
        #expect(JSON.object(report)["applied"] as? Int == 1)
        let (_, after) = try await server.request("GET", "/v1/batches/\(batchID)", key: key)
        #expect((JSON.object(after)["counts"] as? [String: Int])?["bounced"] == 1)
        let (_, suppressions) = try await server.request("GET", "/v1/suppressions", key: key)
        #expect((JSON.object(suppressions)["data"] as? [[String: Any]])?.map { $0["address"] as? String } == ["ann@example.com"])
        #expect(fake.requests.filter { $0.path.hasSuffix(".pem") }.count == 1, "the certificate is fetched once")
    }
}
