import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

// The delivery queue's lookups; claims, completions and maintenance have files of their own.

extension PostgresStore: DeliveryQueue {
    public func batchForDelivery(_ id: Batch.ID) async throws -> Batch? {
        try await read { connection in
            try await connection.row("SELECT * FROM batches WHERE id = \(id.rawValue)", logger: logger).map(Batch.init(postgres:))
        }
    }

    public func sendConfigForDelivery(_ id: SendConfig.ID) async throws -> SendConfig? {
        try await read { connection in
            try await connection.row("SELECT * FROM send_configs WHERE id = \(id.rawValue)", logger: logger)
                .map(SendConfig.init(postgres:))
        }
    }

    public func batchStatuses(_ ids: [Batch.ID]) async throws -> [Batch.ID: BatchStatus] {
        guard !ids.isEmpty else { return [:] }
        return try await read { connection in
            var statuses: [Batch.ID: BatchStatus] = [:]
            for row in try await connection.rows(
                "SELECT id, status FROM batches WHERE id = ANY(\(ids.map(\.rawValue)))", logger: logger)
            {
                statuses[Batch.ID(rawValue: try row.required("id"))] = try row.enumValue("status", as: BatchStatus.self)
            }
            return statuses
        }
    }

    public func recordSandboxMessages(_ messages: [SandboxMessage]) async throws {
        guard !messages.isEmpty else { return }
        let rows: [[String: JSONValue]] = messages.map { m in
            [
                "batch_id": .string(m.batchID.rawValue), "recipient_id": .int(Int(m.recipientID.row ?? 0)),
                "send_config_id": .string(m.sendConfigID.rawValue), "provider_message_id": .string(m.providerMessageID),
                "content": m.content, "created_at": .double(m.createdAt.timeIntervalSince1970),
            ]
        }
        try await transaction { connection in
            try await connection.execute(
                """
                INSERT INTO sandbox_messages (batch_id, recipient_id, send_config_id, provider_message_id, content, created_at)
                SELECT m.batch_id, m.recipient_id, m.send_config_id, m.provider_message_id, m.content, to_timestamp(m.created_at)
                FROM ROWS FROM (jsonb_to_recordset(\(Self.recordset(rows))::jsonb) AS (
                        batch_id text, recipient_id bigint, send_config_id text, provider_message_id text, content jsonb,
                        created_at double precision)
                    ) WITH ORDINALITY AS m(batch_id, recipient_id, send_config_id, provider_message_id, content, created_at, ord)
                ORDER BY m.ord
                """, logger: logger)
        }
    }

    public func sandboxMessages(of batch: Batch.ID, limit: Int) async throws -> [SandboxMessage] {
        try await read { connection in
            try await connection.rows(
                "SELECT * FROM sandbox_messages WHERE batch_id = \(batch.rawValue) ORDER BY id LIMIT \(limit)", logger: logger
            ).map { row in
                SandboxMessage(
                    recipientID: Recipient.ID(row: try row.required("recipient_id")), batchID: batch,
                    sendConfigID: SendConfig.ID(rawValue: try row.required("send_config_id")),
                    providerMessageID: try row.required("provider_message_id"), content: try row.json("content"),
                    createdAt: try row.required("created_at"))
            }
        }
    }

    public func queueDepth() async throws -> Int {
        try await read { connection in
            let row = try await connection.row(
                "SELECT COALESCE(SUM(count_queued + count_sending), 0)::bigint AS depth FROM batches", logger: logger)
            return try row?.required("depth", as: Int.self) ?? 0
        }
    }

    public func batchCountsByStatus() async throws -> [BatchStatus: Int] {
        try await read { connection in
            var counts: [BatchStatus: Int] = [:]
            for row in try await connection.rows("SELECT status, count(*) AS n FROM batches GROUP BY status", logger: logger) {
                counts[try row.enumValue("status", as: BatchStatus.self)] = try row.required("n", as: Int.self)
            }
            return counts
        }
    }
}
