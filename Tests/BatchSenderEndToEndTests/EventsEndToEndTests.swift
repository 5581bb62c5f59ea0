import BatchSenderTestServers
import BatchSenderTesting
import Foundation
import Testing

/// Provider events through the real binary: Resend events signed with Svix's scheme (by the
/// `standardwebhooks` package) move recipients, suppress addresses and build timelines;
/// forged ones change nothing.
@Suite(.serialized) struct EventsEndToEndTests {
    let database = Binary.temporaryDatabase()
    static let secret = "whsec_" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }).base64EncodedString()

    /// Posts `body` to the events endpoint, signed (or not) like Resend's Svix does.
    func post(_ server: ServerProcess, _ path: String, _ body: String, id: String, signed: Bool = true, secret: String = secret,
              age: TimeInterval = 0) async throws -> (Int, String) {
        let stamp = String(Int(Date().timeIntervalSince1970 - age))
        var headers = ["svix-id": id, "svix-timestamp": stamp, "Content-Type": "application/json"]
        if signed { headers["svix-signature"] = try PythonScript.output("sign_event.py", ["svix", secret, id, stamp], input: body) }
        return try await server.request("POST", path, body: body, headers: headers)
    }

    static func event(_ type: String, _ emailID: String, bounce: String? = nil) -> String {
        let extra = bounce.map { #","bounce":{"message":"550 5.1.1 user unknown","subType":"General","type":"\#($0)"}"# } ?? ""
        return #"{"type":"\#(type)","created_at":"\#(ISO8601DateFormatter().string(from: Date()))","data":{"email_id":"\#(emailID)","to":["x@example.com"],"subject":"Hi"\#(extra)}}"#
    }

    @Test func signedEventsMoveRecipientsSuppressAndBuildTimelines() async throws {
        let receiver = try await FakeReceiver.start { request, _ in
            let items = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [[String: Any]] ?? []
            let ids = items.map { #"{"id":"re-\#(($0["to"] as? [String])?.first ?? "")"}"# }.joined(separator: ",")
            return .json(200, #"{"data":[\#(ids)]}"#)
        }
        let (server, key) = try await ServerProcess.started(
            databasePath: database, environment: ["BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true"])
        defer { server.kill9() }
        let (_, config) = try await server.request("POST", "/v1/send-configs", key: key, body: JSON.encode([
            "module": "email", "provider": "resend", "credentials": ["apiKey": "re_x", "webhookSecret": Self.secret],
            "settings": ["baseUrl": receiver.url],
        ]))
        let configID = try #require(JSON.string(config, "id"))
        let people = ["ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]
        let (_, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": configID, "recipients": people.map { ["to": $0] },
            "payload": ["from": "news@example.com", "subject": "Hi", "text": "Hello"],
        ]))
        let batchID = try #require(JSON.string(batch, "id"))
        _ = try await server.request("POST", "/v1/batches/\(batchID)/send", key: key)
        _ = try await server.waitForBatch(batchID, key: key) { $0["status"] as? String == "completed" }
        let path = "/v1/events/resend/\(configID)"

        // A forged event (no signature, wrong secret, stale) is refused and records nothing.
        let delivered = Self.event("email.delivered", "re-ann@example.com")
        #expect(try await post(server, path, delivered, id: "msg_f1", signed: false).0 == 401)
        #expect(try await post(server, path, delivered, id: "msg_f2", secret: "whsec_" + Data(repeating: 1, count: 32).base64EncodedString()).0 == 401)
        #expect(try await post(server, path, delivered, id: "msg_f3", age: 600).0 == 401)
        #expect(try await post(server, "/v1/events/resend/sc_01JDOESNOTEXIST0000000000", delivered, id: "msg_f4").0 == 404)
        #expect(try await post(server, "/v1/events/twilio/\(configID)", delivered, id: "msg_f5").0 == 404)
        let (_, untouched) = try await server.request("GET", "/v1/batches/\(batchID)", key: key)
        #expect((JSON.object(untouched)["counts"] as? [String: Int])?["sent"] == 4)

        // Genuine events apply; a redelivery is a duplicate.
        let (status, report) = try await post(server, path, delivered, id: "msg_1")
        #expect(status == 200, "\(report)")
        #expect(JSON.object(report)["applied"] as? Int == 1)
        let (_, again) = try await post(server, path, delivered, id: "msg_1")
        #expect(JSON.object(again)["duplicates"] as? Int == 1)
        #expect(try await post(server, path, Self.event("email.bounced", "re-bob@example.com", bounce: "Permanent"), id: "msg_2").0 == 200)
        #expect(try await post(server, path, Self.event("email.bounced", "re-cy@example.com", bounce: "Transient"), id: "msg_3").0 == 200)
        #expect(try await post(server, path, Self.event("email.complained", "re-ann@example.com"), id: "msg_4").0 == 200)
        #expect(try await post(server, path, Self.event("email.opened", "re-dee@example.com"), id: "msg_5").0 == 200)
        // Out of order: a delivery report after the bounce changes nothing.
        #expect(try await post(server, path, Self.event("email.delivered", "re-bob@example.com"), id: "msg_6").0 == 200)

        let (_, after) = try await server.request("GET", "/v1/batches/\(batchID)", key: key)
        let counts = try #require(JSON.object(after)["counts"] as? [String: Int])
        #expect(counts["complained"] == 1)
        #expect(counts["bounced"] == 2)
        #expect(counts["sent"] == 1)
        #expect(counts["delivered"] == 0)
        #expect((JSON.object(after)["engagement"] as? [String: Int])?["opened"] == 1)

        let (_, suppressions) = try await server.request("GET", "/v1/suppressions", key: key)
        let listed = (JSON.object(suppressions)["data"] as? [[String: Any]] ?? []).map { "\($0["address"] ?? ""):\($0["reason"] ?? "")" }
        #expect(Set(listed) == ["ann@example.com:complaint", "bob@example.com:bounce"], "only hard bounces and complaints")

        let (_, rows) = try await server.request("GET", "/v1/batches/\(batchID)/recipients", key: key)
        let bob = try #require((JSON.object(rows)["data"] as? [[String: Any]])?.first { $0["to"] as? String == "bob@example.com" })
        let (timelineStatus, timeline) = try await server.request(
            "GET", "/v1/batches/\(batchID)/recipients/\(bob["id"] as? String ?? "")/events", key: key)
        #expect(timelineStatus == 200)
        let entries = try #require(JSON.object(timeline)["data"] as? [[String: Any]])
        #expect(entries.map { $0["type"] as? String } == ["bounced", "delivered"])
        #expect(entries.map { $0["effect"] as? String } == ["applied", "superseded"])
        #expect(entries.first?["hard"] as? Bool == true)

        // The next batch does not repeat the damage.
        let (_, next) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": configID, "recipients": people.map { ["to": $0] },
            "payload": ["from": "news@example.com", "subject": "Again", "text": "Hello"],
        ]))
        #expect((JSON.object(next)["counts"] as? [String: Int])?["suppressed"] == 2)
        await receiver.stop()
    }

    /// The `webhook` event format (CONTRACT §6) for an outbound-webhook config: the receiver
    /// reports on messages it was sent, by their `webhook-id`.
    @Test func webhookReceiversReportBouncesComplaintsAndFailures() async throws {
        let receiver = try await FakeReceiver.start()
        let (server, key) = try await ServerProcess.started(
            databasePath: database, environment: ["BATCHSENDER_ALLOW_PRIVATE_NETWORKS": "true"])
        defer { server.kill9() }
        let (_, config) = try await server.request("POST", "/v1/send-configs", key: key, body: JSON.encode([
            "module": "webhook", "provider": "http", "credentials": ["signingSecret": Self.secret],
        ]))
        let configID = try #require(JSON.string(config, "id"))
        let targets = ["a", "b", "c"].map { "\(receiver.url)/hook/\($0)" }
        let (_, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": configID, "recipients": targets.map { ["to": $0] }, "payload": ["body": ["to": "{{to}}"]],
        ]))
        let batchID = try #require(JSON.string(batch, "id"))
        _ = try await server.request("POST", "/v1/batches/\(batchID)/send", key: key)
        _ = try await server.waitForBatch(batchID, key: key) { $0["status"] as? String == "completed" }
        let (_, list) = try await server.request("GET", "/v1/batches/\(batchID)/recipients", key: key)
        let rows = try #require(JSON.object(list)["data"] as? [[String: Any]])
        let ids = Dictionary(uniqueKeysWithValues: rows.map { ($0["to"] as? String ?? "", $0["providerMessageId"] as? String ?? "") })
        #expect(receiver.requests.map { $0.headers["webhook-id"] ?? "" }.sorted() == ids.values.sorted(),
                "the providerMessageId is the webhook-id the receiver saw")

        func report(_ type: String, _ target: String, id: String, hard: Bool? = nil) async throws -> Int {
            var event: [String: Any] = ["type": type, "messageId": ids[target] ?? ""]
            if let hard { event["hard"] = hard }
            let body = JSON.encode(event)
            let stamp = String(Int(Date().timeIntervalSince1970))
            let signature = try PythonScript.output("sign_event.py", ["svix", Self.secret, id, stamp], input: body)
            return try await server.request("POST", "/v1/events/webhook/\(configID)", body: body, headers: [
                "webhook-id": id, "webhook-timestamp": stamp, "webhook-signature": signature,
            ]).0
        }
        #expect(try await report("bounced", targets[0], id: "evt_1", hard: true) == 200)
        #expect(try await report("complained", targets[1], id: "evt_2") == 200)
        #expect(try await report("failed", targets[2], id: "evt_3") == 200)
        let (_, after) = try await server.request("GET", "/v1/batches/\(batchID)", key: key)
        let counts = try #require(JSON.object(after)["counts"] as? [String: Int])
        #expect(counts["bounced"] == 1)
        #expect(counts["complained"] == 1)
        #expect(counts["failed"] == 1)
        #expect(counts["delivered"] == 0)
        let (_, suppressions) = try await server.request("GET", "/v1/suppressions", key: key)
        #expect(Set((JSON.object(suppressions)["data"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String })
            == Set(targets.prefix(2)))
        await receiver.stop()
    }
}
