import BatchSenderTestServers
import Foundation
import Testing

/// Delivery through the real binary: a sandbox batch from API call to completion.
@Suite(.serialized) struct DeliveryEndToEndTests {
    /// A fresh database path per test (Swift Testing makes a new suite value for each test).
    let database = Binary.temporaryDatabase()


    @Test func sandboxBatchCompletesAndMetricsCountIt() async throws {
        let (server, key) = try await ServerProcess.started(databasePath: database)
        let (_, config) = try await server.request(
            "POST", "/v1/send-configs", key: key, body: #"{"module":"sms","provider":"sandbox"}"#)
        let configID = try #require(JSON.string(config, "id"))
        let recipients = (0..<300).map { ["to": "+1415555\(String(format: "%04d", $0))", "variables": ["n": "\($0)"]] }
        let (created, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": configID, "payload": ["from": "ACME", "message": "Code {{n}}"], "recipients": recipients,
        ]))
        #expect(created == 201, "\(batch)")
        let batchID = try #require(JSON.string(batch, "id"))
        let (sent, _) = try await server.request("POST", "/v1/batches/\(batchID)/send", key: key)
        #expect(sent == 202)
        let done = try await server.waitForBatch(batchID, key: key) { $0["status"] as? String == "completed" }
        let counts = try #require(done["counts"] as? [String: Int])
        #expect(counts["sent"] == 300)
        #expect(counts["total"] == 300)
        let (_, list) = try await server.request("GET", "/v1/batches/\(batchID)/recipients?limit=1", key: key)
        let first = try #require((JSON.object(list)["data"] as? [[String: Any]])?.first)
        #expect((first["providerMessageId"] as? String)?.hasPrefix("sandbox_") == true)
        #expect(first["sentAt"] is String)

        let (status, metrics) = try await server.request("GET", "/metrics")
        #expect(status == 200)
        #expect(metrics.contains(#"batchsender_deliveries_total{module="sms",provider="sandbox",outcome="sent"} 300"#))
        #expect(metrics.contains("batchsender_provider_call_duration_seconds_bucket"))
        #expect(metrics.contains("batchsender_queue_depth"))
        #expect(metrics.contains(#"batchsender_batches{status="completed"}"#))

        // One process owns an embedded database.
        let second = try ServerProcess(databasePath: database)
        second.process.waitUntilExit()
        #expect(second.process.terminationStatus != 0)
        #expect(second.readError().contains("another batchsender serve"))
        #expect(await server.terminate() == 0)
    }

    @Test func metricsTokenIsRequiredWhenSet() async throws {
        let server = try ServerProcess(databasePath: database, environment: ["BATCHSENDER_METRICS_TOKEN": "s3cret"])
        try await server.waitUntilHealthy()
        #expect(try await server.request("GET", "/metrics").0 == 401)
        #expect(try await server.request("GET", "/metrics", key: "wrong").0 == 401)
        #expect(try await server.request("GET", "/metrics", key: "s3cret").0 == 200)
        #expect(await server.terminate() == 0)
    }

    @Test func dryRunEndsSentWithDryrunIds() async throws {
        let (server, key) = try await ServerProcess.started(databasePath: database)
        let (_, config) = try await server.request(
            "POST", "/v1/send-configs", key: key, body: #"{"module":"email","provider":"sandbox"}"#)
        let (_, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": JSON.string(config, "id") ?? "", "dryRun": true,
            "payload": ["from": "a@example.com", "subject": "s", "text": "t"], "recipients": [["to": "x@example.com"]],
        ]))
        let batchID = try #require(JSON.string(batch, "id"))
        _ = try await server.request("POST", "/v1/batches/\(batchID)/send", key: key)
        _ = try await server.waitForBatch(batchID, key: key) { $0["status"] as? String == "completed" }
        let (_, list) = try await server.request("GET", "/v1/batches/\(batchID)/recipients", key: key)
        let first = try #require((JSON.object(list)["data"] as? [[String: Any]])?.first)
        #expect(first["status"] as? String == "sent")
        #expect((first["providerMessageId"] as? String)?.hasPrefix("dryrun_") == true)
        #expect(await server.terminate() == 0)
    }
}

/// `POST /v1/send-configs/{id}/test` through real providers.
@Suite(.serialized) struct TestSendEndToEndTests {
    /// A fresh database path per test (Swift Testing makes a new suite value for each test).
    let database = Binary.temporaryDatabase()


    @Test func testSendsReportTheProvidersAnswer() async throws {
        let receiver = try await FakeReceiver.start { request, _ in
            request.path == "/missing" ? ScriptedResponse(status: 404, body: "no such hook") : ScriptedResponse()
        }
        let (server, key) = try await ServerProcess.started(databasePath: database, environment: ["BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true"])
        defer { server.kill9() }

        let (_, sandbox) = try await server.request(
            "POST", "/v1/send-configs", key: key, body: #"{"module":"email","provider":"sandbox"}"#)
        let sandboxID = try #require(JSON.string(sandbox, "id"))
        let (status, ok) = try await server.request(
            "POST", "/v1/send-configs/\(sandboxID)/test", key: key, body: #"{"to":"ann@example.com"}"#)
        #expect(status == 200, "\(ok)")
        #expect(JSON.object(ok)["ok"] as? Bool == true)
        #expect(JSON.string(ok, "providerMessageId")?.hasPrefix("sandbox_") == true)
        #expect(JSON.object(ok)["latencyMs"] is Int)
        let (invalid, _) = try await server.request(
            "POST", "/v1/send-configs/\(sandboxID)/test", key: key, body: #"{"to":"not-an-address"}"#)
        #expect(invalid == 422)

        let (_, hook) = try await server.request(
            "POST", "/v1/send-configs", key: key, body: #"{"module":"webhook","provider":"http"}"#)
        let hookID = try #require(JSON.string(hook, "id"))
        let (_, delivered) = try await server.request(
            "POST", "/v1/send-configs/\(hookID)/test", key: key, body: JSON.encode(["to": "\(receiver.url)/ok"]))
        #expect(JSON.object(delivered)["ok"] as? Bool == true, "\(delivered)")
        #expect(receiver.requests.first?.bodyText.contains("batchsender.test") == true)
        let (_, refused) = try await server.request(
            "POST", "/v1/send-configs/\(hookID)/test", key: key, body: JSON.encode(["to": "\(receiver.url)/missing"]))
        #expect(JSON.object(refused)["ok"] as? Bool == false)
        #expect(JSON.string(refused, "error")?.contains("404") == true, "\(refused)")
        await receiver.stop()
    }
}
