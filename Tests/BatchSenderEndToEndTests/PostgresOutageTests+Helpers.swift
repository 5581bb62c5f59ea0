import BatchSenderPostgres
import BatchSenderTestServers
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import PostgresNIO
import Testing

extension PostgresOutageTests {
    /// `url` with its host and port replaced: the same database through the proxy.
    static func url(_ url: String, throughPort port: Int) throws -> String {
        guard var components = URLComponents(string: url) else { throw Malformed(url: url) }
        components.host = "127.0.0.1"
        components.port = port
        guard let proxied = components.string else { throw Malformed(url: url) }
        return proxied
    }

    struct Malformed: Error {
        var url: String
    }

    /// A signed webhook batch of `total` recipients to `receiver`, sent; returns its id.
    static func sendWebhookBatch(
        _ server: ServerProcess, key: String, receiver: FakeReceiver, total: Int, perSecond: Int
    ) async throws -> String {
        let (created, config) = try await server.request("POST", "/v1/send-configs", key: key, body: JSON.encode([
            "module": "webhook", "provider": "http",
            "credentials": ["signingSecret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            "rateLimit": ["perSecond": perSecond, "burst": 5], "maxConcurrency": 8,
        ]))
        #expect(created == 201, "\(config)")
        let recipients = (0..<total).map { ["to": "https://example.com/r/\($0)", "variables": ["row": "\($0)"]] }
        let (status, batch) = try await server.request("POST", "/v1/batches", key: key, body: JSON.encode([
            "sendConfigId": JSON.string(config, "id") ?? "",
            "payload": ["url": "\(receiver.url)/hook", "body": ["row": "{{row}}"]],
            "recipients": recipients,
        ]))
        #expect(status == 201, "\(batch)")
        let batchID = try #require(JSON.string(batch, "id"))
        #expect(try await server.request("POST", "/v1/batches/\(batchID)/send", key: key).0 == 202)
        return batchID
    }

    static func waitForRequests(_ receiver: FakeReceiver, atLeast count: Int) async throws {
        for _ in 0..<6_000 where receiver.requests.count < count { try await Task.sleep(for: .milliseconds(10)) }
        try #require(receiver.requests.count >= count)
    }

    /// The rows (`variables.row`) of recipients claimed and not recorded, read straight from the
    /// database (not through the proxy).
    static func rowsInFlight(_ url: String) async throws -> Set<Int> {
        try await PostgresDatabase.withConnection(url) { connection, logger in
            var rows: Set<Int> = []
            for try await row in try await connection.query(
                "SELECT variables->>'row' FROM recipients WHERE status = 'sending'", logger: logger
            ).decode(String.self) {
                if let number = Int(row) { rows.insert(number) }
            }
            return rows
        }
    }

    /// The database's sessions, one line each: printed when a test fails, to say who waited on what.
    static func activity(_ url: String) async throws -> String {
        try await PostgresDatabase.withConnection(url) { connection, logger in
            var lines: [String] = []
            for try await (pid, state, wait, query) in try await connection.query(
                "SELECT pid, coalesce(state,''), coalesce(wait_event_type || ':' || wait_event, ''), left(query, 120) FROM pg_stat_activity WHERE datname = current_database()", logger: logger
            ).decode((Int32, String, String, String).self) {
                lines.append("\(pid) \(state) \(wait) \(query)")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Polls `path` until it answers `status` (bounded: 60 s).
    static func waitForStatus(_ server: ServerProcess, _ path: String, _ status: Int) async throws -> Bool {
        for _ in 0..<600 {
            if let (answer, _) = try? await server.request("GET", path), answer == status { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// A GET with its status, `Content-Type` and body.
    static func get(_ server: ServerProcess, _ path: String, key: String) async throws -> (Int, String?, String) {
        var request = URLRequest(url: URL(string: server.baseURL + path)!)
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 120
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type"), String(decoding: data, as: UTF8.self))
    }

    /// Every recipient is listed once, `delivered`.
    static func expectEveryRecipientDeliveredOnce(_ server: ServerProcess, key: String, batchID: String, total: Int) async throws {
        let rows = try await server.allRecipients(batchID: batchID, key: key, total: total)
        let ids = rows.compactMap { $0["id"] as? String }
        #expect(ids.count == total, "every recipient listed")
        #expect(Set(ids).count == ids.count, "no recipient listed twice")
        let statuses = Set(rows.compactMap { $0["status"] as? String })
        #expect(statuses == ["delivered"], "\(statuses)")
    }

    /// Every row reached the receiver, always with the same `webhook-id`, and the rows that
    /// reached it more than once are among `inFlight`.
    static func expectDuplicatesOnlyAmong(_ inFlight: Set<Int>, receiver: FakeReceiver, total: Int) throws {
        var hits: [Int: Int] = [:]
        var ids: [Int: Set<String>] = [:]
        for request in receiver.requests {
            let row = try #require((JSON.object(request.bodyText)["row"] as? String).flatMap(Int.init), "\(request.bodyText)")
            hits[row, default: 0] += 1
            ids[row, default: []].insert(request.headers["webhook-id"] ?? "")
        }
        #expect(Set(hits.keys) == Set(0..<total), "every recipient reached the receiver")
        #expect(ids.values.allSatisfy { $0.count == 1 }, "a recipient's webhook-id never changes")
        let twice = Set(hits.filter { $0.value > 1 }.keys)
        #expect(twice.isSubset(of: inFlight), "sent twice but not in flight: \(twice.subtracting(inFlight).sorted())")
        #expect(twice.count <= inFlight.count)
    }
}
