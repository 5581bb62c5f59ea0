import BatchSenderCore
import BatchSenderStore
import Foundation
import Testing

@testable import BatchSenderPostgres

/// `copy-data`'s PostgreSQL side against a real server: what the writer loads with COPY, the
/// reader reads back the same, whatever the text holds; identity sequences move past copied ids.
@Suite(.enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct PostgresCopyRoundTripTests {
    static let workspaces = CopyTable("workspaces", key: ["id"], columns: [.text("id"), .text("slug"), .time("created_at")])
    static let recipients = CopyTable("recipients", key: ["id"], generatedID: "id", totals: ["attempts"], columns: [
        .integer("id"), .text("batch_id"), .text("to_address"), .text("normalized_to"), .json("variables"),
        .text("status"), .integer("attempts"), .text("last_error"), .text("provider_message_id"),
        .time("next_attempt_at"), .time("lease_expires_at"), .integer("lease_token"), .time("sent_at"),
        .time("delivered_at"), .time("updated_at"), .integer("segments"), .integer("retry_generation"),
    ])
    static let sendConfigs = CopyTable("send_configs", key: ["id"], columns: [
        .text("id"), .text("workspace_id"), .text("name"), .text("module"), .text("provider"),
        .bytes("sealed_credentials"), .json("credential_hints"), .json("settings"), .real("rate_per_second"),
        .integer("rate_burst"), .integer("max_concurrency"), .time("created_at"), .time("updated_at"),
    ])
    static let events = CopyTable("provider_events", key: ["id"], generatedID: "id", columns: [
        .integer("id"), .text("send_config_id"), .text("provider"), .text("event_id"), .text("message_id"),
        .text("kind"), .boolean("hard"), .text("detail"), .time("occurred_at"), .time("received_at"),
        .text("recipient_key"), .text("batch_id"), .integer("recipient_id"), .text("effect"),
    ])

    static let awkward = ["tab\there", "line\nbreak\r\n", #"back\slash \N \\."#, "quote\" 'single'", "emoji 🚀 ünïcödé", "", "\\"]
    /// A time with microseconds (PostgreSQL keeps exactly those).
    static let when = Date(timeIntervalSince1970: 1_764_687_285.123_456)

    func recipientRows(_ count: Int, firstID: Int64) -> [[CopyValue]] {
        (0..<count).map { n in
            let text = Self.awkward[n % Self.awkward.count]
            let variables = JSONValue.object(["note": .string(text), "n": .int(n)]).jsonText()
            return [
                .integer(firstID + Int64(n)), .text("bat_1"), .text("to \(text) \(n)"), .text("to-\(n)"), .text(variables),
                .text("sent"), .integer(Int64(n % 3)), n % 2 == 0 ? .null : .text(text), .text("msg_\(n)"),
                .time(Self.when), .null, .integer(n == 0 ? Int64.max : Int64(n)), .time(Self.when.addingTimeInterval(Double(n))),
                .null, .time(Self.when), n % 2 == 0 ? .null : .integer(2), .integer(0),
            ]
        }
    }

    @Test func whatCopyLoadsIsWhatTheReaderReads() async throws {
        try await TestDatabase.withStore { store in
            let writer = store.copyWriter()
            let workspaces: [[CopyValue]] = [[.text("ws_1"), .text("default"), .time(Self.when)]]
            let sealed = Data((0..<64).map { UInt8(truncatingIfNeeded: $0 * 37) } + [0x00, 0x5C, 0x0A, 0x09])
            let configs: [[CopyValue]] = [[
                .text("sc_1"), .text("ws_1"), .text(Self.awkward[1]), .text("webhook"), .text("http"), .bytes(sealed),
                .text(#"{"signingSecret": "whsec_…1a2b"}"#), .text(#"{"baseUrl": "https://x.example/\\t"}"#), .real(0.1),
                .integer(20), .null, .time(Self.when), .time(Self.when),
            ]]
            let recipients = recipientRows(25, firstID: 1_000)
            let events: [[CopyValue]] = [true, false, nil].enumerated().map { n, hard in
                [
                    .integer(Int64(n + 1)), .text("sc_1"), .text("webhook"), .text("evt_\(n)"), .text(Self.awkward[n]),
                    .text("bounced"), hard.map(CopyValue.boolean) ?? .null, .text(Self.awkward[n + 2]), .time(Self.when),
                    .time(Self.when), .null, .null, .null, .text("pending"),
                ]
            }
            #expect(try await writer.load(Self.workspaces, from: pages(workspaces, size: 10)) == 1)
            #expect(try await writer.load(Self.sendConfigs, from: pages(configs, size: 10)) == 1)
            #expect(try await writer.load(Self.recipients, from: pages(recipients, size: 4)) == 25)
            #expect(try await writer.load(Self.events, from: pages(events, size: 2)) == 3)

            try await store.withCopyReader { reader in
                #expect(Self.normalized(try await reader.page(of: Self.workspaces, after: nil, limit: 10), Self.workspaces)
                    == Self.normalized(workspaces, Self.workspaces))
                let readConfigs = try await reader.page(of: Self.sendConfigs, after: nil, limit: 10)
                #expect(readConfigs.count == 1)
                #expect(Self.normalized(readConfigs, Self.sendConfigs) == Self.normalized(configs, Self.sendConfigs))
                // Keyset pages: ten, then the rest after the tenth's key.
                let first = try await reader.page(of: Self.recipients, after: nil, limit: 10)
                let rest = try await reader.page(of: Self.recipients, after: Self.recipients.key(of: first[9]), limit: 100)
                #expect(Self.normalized(first + rest, Self.recipients) == Self.normalized(recipients, Self.recipients))
                #expect(Self.normalized(try await reader.page(of: Self.events, after: nil, limit: 10), Self.events)
                    == Self.normalized(events, Self.events))
                #expect(try await reader.count(Self.recipients) == 25)
                #expect(try await reader.total("attempts", of: Self.recipients) == recipients.reduce(0) { sum, row in
                    if case .integer(let n) = row[6] { return sum + n } else { return sum }
                })
                #expect(try await reader.generatedIDHighWater(Self.recipients) == 1_024)
            }
        }
    }

    @Test func generatedIDsContinuePastTheCopiedOnes() async throws {
        try await TestDatabase.withStore { store in
            let writer = store.copyWriter()
            _ = try await writer.load(Self.recipients, from: pages(recipientRows(3, firstID: 40), size: 10))
            // The source had handed out ids up to 50 (some rows deleted since).
            try await writer.advanceGeneratedID(of: Self.recipients, past: 50)
            #expect(try await writer.generatedIDHighWater(Self.recipients) == 50)
            let row = try await store.client.query(
                "INSERT INTO recipients (batch_id, to_address, normalized_to, variables, status, updated_at) VALUES ('bat_2', 'x', 'x', '{}', 'pending', now()) RETURNING id"
            ).collect().first
            #expect(try row?.decode(Int64.self) == 51)
            try await writer.removeAll(from: [Self.recipients])
            #expect(try await writer.count(Self.recipients) == 0)
            #expect(try await writer.generatedIDHighWater(Self.recipients) == 0, "RESTART IDENTITY")
        }
    }

    /// JSON comes back as `jsonb` prints it: compare parsed values. Times compare to the
    /// microsecond, PostgreSQL's precision.
    static func normalized(_ rows: [[CopyValue]], _ table: CopyTable) -> [[String]] {
        rows.map { row in
            zip(row, table.columns).map { value, column in
                switch value {
                case .text(let text) where column.kind == .json: JSONValue.parse(text)?.jsonText() ?? "invalid"
                case .time(let date): "time \(PostgresTimestampText.microseconds(date) ?? 0)"
                default: "\(value)"
                }
            }
        }
    }

    /// A page source over `rows`.
    func pages(_ rows: [[CopyValue]], size: Int) -> () async throws -> [[CopyValue]]? {
        let chunks = stride(from: 0, to: rows.count, by: size).map { Array(rows[$0..<min($0 + size, rows.count)]) }
        let iterator = ChunkIterator(chunks)
        return { iterator.next() }
    }
}

/// Hands out chunks one at a time.
final class ChunkIterator: @unchecked Sendable {
    private var chunks: [[[CopyValue]]]
    init(_ chunks: [[[CopyValue]]]) { self.chunks = chunks }
    func next() -> [[CopyValue]]? { chunks.isEmpty ? nil : chunks.removeFirst() }
}
