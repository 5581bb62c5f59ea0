import BatchSenderCore
import BatchSenderTestServers
import BatchSenderTesting
import Foundation
import Testing

/// What `copy-data` tests do with a server: webhook batches, signed events, and the API answers
/// that must be the same before and after a copy.
struct CopyDataScenario {
    static let secret = "whsec_" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 * 11 + 3) }).base64EncodedString()
    let receiver: FakeReceiver

    /// Creates and sends a webhook batch to `targets`, waits until it completes; returns its id.
    func deliver(_ targets: [String], through server: ServerProcess, key: String, config: String) async throws -> String {
        let (created, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": config, "recipients": targets.map { ["to": $0, "variables": ["note": "tab\t\\ \"q\" 🚀"]] },
            "payload": ["body": ["to": "{{to}}", "note": "{{note}}"]],
        ]))
        #expect(created == 201, "\(batch)")
        let id = try #require(JSON.string(batch, "id"))
        #expect(try await server.request("POST", "/v1/batches/\(id)/send", key: key).0 == 202)
        let done = try await server.waitForBatch(id, key: key) { $0["status"] as? String == "completed" }
        // A webhook answered with 2xx is delivered.
        #expect((done["counts"] as? [String: Int])?["delivered"] == targets.count, "\(done)")
        return id
    }

    /// Posts a Standard Webhooks event about `messageID`, signed with the config's secret.
    func report(_ type: String, messageID: String, id: String, hard: Bool? = nil, to server: ServerProcess, config: String)
        async throws -> (Int, String)
    {
        var event: [String: Any] = ["type": type, "messageId": messageID]
        if let hard { event["hard"] = hard }
        let body = JSON.encode(event)
        let stamp = String(Int(Date().timeIntervalSince1970))
        let signature = try PythonScript.output("sign_event.py", ["svix", Self.secret, id, stamp], input: body)
        return try await server.request("POST", "/v1/events/webhook/\(config)", body: body, headers: [
            "webhook-id": id, "webhook-timestamp": stamp, "webhook-signature": signature,
        ])
    }

    /// Every request the receiver got for `targets` carries a signature made with the secret:
    /// the send config's credentials were opened on this side of the copy.
    func expectSigned(_ targets: [String]) throws {
        let paths = Set(targets.compactMap { URL(string: $0)?.path })
        let requests = receiver.requests.filter { paths.contains($0.path) }
        #expect(requests.count == targets.count)
        for request in requests {
            let expected = try PythonScript.output(
                "sign_event.py",
                ["svix", Self.secret, request.headers["webhook-id"] ?? "", request.headers["webhook-timestamp"] ?? ""],
                input: request.bodyText)
            #expect(request.headers["webhook-signature"] == expected, "\(request.path)")
        }
    }

    /// The answers a copy must keep, as parsed JSON.
    static func answers(of server: ServerProcess, key: String, batch: String, config: String) async throws -> [String: Any] {
        var answers: [String: Any] = [:]
        let (_, recipients) = try await server.request("GET", "/v1/batches/\(batch)/recipients", key: key)
        let rows = JSON.object(recipients)["data"] as? [[String: Any]] ?? []
        for path in [
            "/v1/batches/\(batch)", "/v1/batches/\(batch)/recipients", "/v1/suppressions", "/v1/api-keys",
            "/v1/send-configs/\(config)", "/v1/batches/\(batch)/recipients/\(rows.first?["id"] as? String ?? "")/events",
        ] {
            let (status, body) = try await server.request("GET", path, key: key)
            #expect(status == 200, "\(path): \(body)")
            answers[path] = try JSONSerialization.jsonObject(with: Data(body.utf8))
        }
        return answers
    }

    /// Whether two JSON values agree; timestamps within 2 ms (PostgreSQL keeps microseconds,
    /// and a copied time may land one microsecond across a millisecond the API prints).
    static func same(_ a: Any, _ b: Any, at path: String = "") -> String? {
        switch (a, b) {
        case (let a as [String: Any], let b as [String: Any]):
            guard Set(a.keys) == Set(b.keys) else { return "\(path): keys \(a.keys.sorted()) vs \(b.keys.sorted())" }
            for key in a.keys.sorted() { if let d = same(a[key]!, b[key]!, at: path + "." + key) { return d } }
            return nil
        case (let a as [Any], let b as [Any]):
            guard a.count == b.count else { return "\(path): \(a.count) vs \(b.count) items" }
            for (i, (x, y)) in zip(a, b).enumerated() { if let d = same(x, y, at: "\(path)[\(i)]") { return d } }
            return nil
        case (let a as String, let b as String):
            if a == b { return nil }
            if let x = Timestamp.parse(a), let y = Timestamp.parse(b), abs(x.timeIntervalSince(y)) <= 0.002 { return nil }
            return "\(path): \(a) vs \(b)"
        default:
            return (a as? NSObject) == (b as? NSObject) ? nil : "\(path): \(a) vs \(b)"
        }
    }

    /// `copy-data`, retried briefly while a server that just exited still shows as connected
    /// (its PostgreSQL sessions end a moment after the process does).
    static func copy(_ arguments: [String], environment: [String: String]) async throws -> (Int32, String, String) {
        var result = try Binary.run(["copy-data"] + arguments, environment: environment)
        let deadline = Date().addingTimeInterval(10)
        while result.0 != 0, result.2.contains("other batchsender session"), Date() < deadline {
            try await Task.sleep(for: .milliseconds(250))
            result = try Binary.run(["copy-data"] + arguments, environment: environment)
        }
        return result
    }
}
