import BatchSenderTestServers
import Foundation
import Synchronization
import Testing

/// Real providers through the real binary, each pointed at a fake of its API by `settings.baseUrl`.
@Suite(.serialized) struct ProviderEndToEndTests {
    let database = Binary.temporaryDatabase()

    @Test func aResendBatchGoesOutInCallsOfAHundred() async throws {
        let receiver = try await FakeReceiver.start { request, call in
            let items = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [Any] ?? []
            let ids = items.indices.map { #"{"id":"re-\#(call)-\#($0)"}"# }.joined(separator: ",")
            return .json(200, #"{"data":[\#(ids)]}"#)
        }
        let (server, key) = try await ServerProcess.started(databasePath: database, environment: ["BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true"])
        defer { server.kill9() }

        let (created, config) = try await server.request("POST", "/v1/send-configs", key: key, body: JSON.encode([
            "name": "Resend", "module": "email", "provider": "resend",
            "credentials": ["apiKey": "re_e2e_key"],
            "settings": ["baseUrl": receiver.url, "unsubscribeUrl": "https://example.com/unsub/{{id}}"],
            "rateLimit": ["perSecond": 50],
        ]))
        #expect(created == 201, "\(config)")
        #expect((JSON.object(config)["credentials"] as? [String: String])?["apiKey"]?.contains("re_e2e_key") == false)
        let recipients = (1...250).map { ["to": "user\($0)@example.com", "variables": ["id": "u\($0)"]] }
        let (_, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": JSON.string(config, "id") ?? "", "recipients": recipients,
            "payload": ["from": "news@example.com", "subject": "Hi {{id}}", "html": "<p>{{id}}</p>"],
        ]))
        let batchID = try #require(JSON.string(batch, "id"))
        _ = try await server.request("POST", "/v1/batches/\(batchID)/send", key: key)
        let done = try await server.waitForBatch(batchID, key: key) { $0["status"] as? String == "completed" }
        #expect((done["counts"] as? [String: Int])?["sent"] == 250)

        let calls = receiver.requests
        #expect(calls.count == 3)
        #expect(calls.map { ((try? JSONSerialization.jsonObject(with: Data($0.body))) as? [Any])?.count ?? 0 }.sorted() == [50, 100, 100])
        #expect(calls.allSatisfy { $0.path == "/emails/batch" && $0.headers["authorization"] == "Bearer re_e2e_key" })
        #expect(Set(calls.compactMap { $0.headers["idempotency-key"] }).count == 3)
        let first = try #require(((try? JSONSerialization.jsonObject(with: Data(calls[0].body))) as? [[String: Any]])?.first)
        let headers = try #require(first["headers"] as? [String: String])
        #expect(headers["List-Unsubscribe"]?.hasPrefix("<https://example.com/unsub/u") == true)
        #expect(headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")

        let (_, list) = try await server.request("GET", "/v1/batches/\(batchID)/recipients?limit=500", key: key)
        let rows = try #require(JSON.object(list)["data"] as? [[String: Any]])
        #expect(rows.count == 250)
        #expect(rows.allSatisfy { ($0["providerMessageId"] as? String)?.hasPrefix("re-") == true })
        await receiver.stop()
    }

    @Test func smsBatchesKeepSegmentCountsAndRefuseOverlongMessages() async throws {
        let receiver = try await FakeReceiver.start { _, call in
            .json(201, #"{"sid":"SM\#(String(format: "%032d", call))","status":"queued"}"#)
        }
        let (server, key) = try await ServerProcess.started(databasePath: database, environment: [
            "BATCHSENDER_PUBLIC_URL": "https://bs.example.com", "BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true",
        ])
        defer { server.kill9() }

        let (_, config) = try await server.request("POST", "/v1/send-configs", key: key, body: JSON.encode([
            "module": "sms", "provider": "twilio",
            "credentials": ["accountSid": "AC" + String(repeating: "0", count: 32), "authToken": "tok"],
            "settings": ["baseUrl": receiver.url, "maxSegments": 2],
        ]))
        let configID = try #require(JSON.string(config, "id"))
        let long = String(repeating: "x", count: 400)
        let (refused, problem) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": configID, "payload": ["from": "+14155550199", "message": long],
        ]))
        #expect(refused == 422)
        #expect(problem.contains("segments"))

        let (_, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": configID, "payload": ["from": "+14155550199", "message": "Hi {{text}}"],
            "recipients": [
                ["to": "+14155550100", "variables": ["text": "short"]],
                ["to": "+14155550101", "variables": ["text": String(repeating: "ж", count: 200)]],
                ["to": "+14155550102", "variables": ["text": String(repeating: "ж", count: 100)]],
            ],
        ]))
        let batchID = try #require(JSON.string(batch, "id"))
        _ = try await server.request("POST", "/v1/batches/\(batchID)/send", key: key)
        let done = try await server.waitForBatch(batchID, key: key) { $0["status"] as? String == "completed" }
        #expect((done["counts"] as? [String: Int])?["sent"] == 2)
        #expect((done["counts"] as? [String: Int])?["failed"] == 1)
        let (_, list) = try await server.request("GET", "/v1/batches/\(batchID)/recipients", key: key)
        let rows = try #require(JSON.object(list)["data"] as? [[String: Any]])
        let byTo = Dictionary(uniqueKeysWithValues: rows.map { ($0["to"] as? String ?? "", $0) })
        #expect(byTo["+14155550100"]?["segments"] as? Int == 1)
        #expect(byTo["+14155550102"]?["segments"] as? Int == 2, "103 UCS-2 characters")
        #expect(byTo["+14155550101"]?["status"] as? String == "failed")
        #expect((byTo["+14155550101"]?["lastError"] as? String)?.contains("allows at most 2") == true)
        #expect(receiver.requests.count == 2, "the over-long message never reached the provider")
        let form = receiver.requests.first?.bodyText ?? ""
        #expect(form.contains("StatusCallback=https%3A%2F%2Fbs.example.com%2Fv1%2Fevents%2Ftwilio%2F\(configID)"))

        // A test send through the same provider.
        let (status, tested) = try await server.request(
            "POST", "/v1/send-configs/\(configID)/test", key: key,
            body: JSON.encode(["to": "+14155550109", "payload": ["from": "+14155550199", "message": "test"]]))
        #expect(status == 200)
        #expect(JSON.object(tested)["ok"] as? Bool == true, "\(tested)")
        #expect(JSON.string(tested, "providerMessageId")?.hasPrefix("SM") == true)
        await receiver.stop()
    }
}
