import BatchSenderTestServers
import Foundation
import Testing

/// CONTRACT §8: SIGTERM stops claiming, finishes or releases in-flight work and exits 0 within
/// 30 s — even with a call that would take a minute.
@Suite(.serialized) struct ShutdownEndToEndTests {
    let database = Binary.temporaryDatabase()
    let environment = ["BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true", "BATCHSENDER_LOG_LEVEL": "error"]

    @Test(.timeLimit(.minutes(3)))
    func sigtermWithAStalledCallExitsInTimeAndReleasesTheCall() async throws {
        // The receiver holds every answer until it stops: the call outlives the shutdown.
        let receiver = try await FakeReceiver.start { _, _ in
            var answer = ScriptedResponse(stall: true)
            answer.stallLimit = .seconds(90)
            return answer
        }
        let (server, key) = try await ServerProcess.started(databasePath: database, environment: environment)
        let (_, config) = try await server.request("POST", "/v1/send-configs", key: key, body: JSON.encode([
            "module": "webhook", "provider": "http", "maxConcurrency": 1,
        ]))
        let (_, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": JSON.string(config, "id") ?? "",
            "payload": ["url": "\(receiver.url)/slow", "timeoutMs": 120_000],
            "recipients": [["to": "https://example.com/a"], ["to": "https://example.com/b"]],
        ]))
        let batchID = try #require(JSON.string(batch, "id"))
        _ = try await server.request("POST", "/v1/batches/\(batchID)/send", key: key)
        for _ in 0..<3_000 where receiver.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(receiver.requests.count == 1)
        // Paused, so the restarted server below claims nothing and the rows show the shutdown's work.
        #expect(try await server.request("POST", "/v1/batches/\(batchID)/pause", key: key).0 == 200)

        // `terminate` waits at most 30 s and answers nil (after a SIGKILL) if the server had not exited.
        let status = await server.terminate(timeout: 30)
        #expect(status == 0, "the server exits 0 within 30 s of SIGTERM")
        await receiver.stop()

        // The cancelled call gave its attempt back; nothing is stuck in `sending`.
        let restarted = try ServerProcess(databasePath: database, environment: environment)
        defer { restarted.kill9() }
        try await restarted.waitUntilHealthy()
        let (_, listed) = try await restarted.request("GET", "/v1/batches/\(batchID)/recipients", key: key)
        let rows = try #require(JSON.object(listed)["data"] as? [[String: Any]])
        #expect(rows.map { $0["status"] as? String } == ["queued", "queued"], "\(listed)")
        #expect(rows.map { $0["attempts"] as? Int } == [0, 0], "the cancelled call's attempt was given back")
    }
}
