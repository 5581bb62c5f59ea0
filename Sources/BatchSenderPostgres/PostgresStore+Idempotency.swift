import BatchSenderCore
import BatchSenderStore
import Foundation
import PostgresNIO

extension PostgresStore: IdempotencyStore {
    public func claimIdempotencyKey(
        _ key: String, in workspace: Workspace.ID, requestHash: String, at now: Date, expiry: TimeInterval
    ) async throws -> IdempotencyClaim {
        try await transaction { connection in
            // A row that blocked our insert can be released (deleted) before we read it; then
            // the key is free again and the next round inserts. Three rounds is plenty.
            for _ in 0..<3 {
                let claim = try await Self.claimRound(
                    key, in: workspace, requestHash: requestHash, at: now, expiry: expiry, connection, logger)
                if let claim { return claim }
            }
            throw StoreError.conflict("idempotency key \(key) is being claimed and released concurrently")
        }
    }

    /// One attempt at a claim; `nil` when the row that blocked the insert vanished before it was read.
    ///
    /// One statement claims a new key, or takes over a record that no longer counts (expired, or
    /// unfinished past `IdempotencyWindow.inProgressDeadline`: its request's process died). Of
    /// two requests racing, exactly one claims: `ON CONFLICT DO UPDATE` locks the existing row,
    /// and the second re-checks the `WHERE` against the first one's new version (PostgreSQL docs,
    /// INSERT, "ON CONFLICT Clause"), which is live, so it updates nothing and returns no row.
    private static func claimRound(
        _ key: String, in workspace: Workspace.ID, requestHash: String, at now: Date, expiry: TimeInterval,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> IdempotencyClaim? {
        let expired = now.addingTimeInterval(-expiry)
        let abandoned = now.addingTimeInterval(-min(expiry, IdempotencyWindow.inProgressDeadline))
        let claimed = try await connection.row(
            """
            INSERT INTO idempotency_keys AS k (workspace_id, key, request_hash, created_at)
            VALUES (\(workspace.rawValue), \(key), \(requestHash), \(now))
            ON CONFLICT (workspace_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status = NULL,
                content_type = NULL, body = NULL, created_at = EXCLUDED.created_at
            WHERE k.created_at < \(expired) OR (k.status IS NULL AND k.created_at < \(abandoned))
            RETURNING key
            """, logger: logger)
        if claimed != nil { return .claimed }
        guard let row = try await connection.row(
            "SELECT * FROM idempotency_keys WHERE workspace_id = \(workspace.rawValue) AND key = \(key)", logger: logger)
        else { return nil }
        guard try row.required("request_hash", as: String.self) == requestHash else { return .mismatch }
        guard let status = try row.optional("status", as: Int.self) else { return .inProgress }
        return .replay(
            IdempotentResponse(
                status: status, contentType: try row.optional("content_type") ?? "application/json",
                body: try row.optional("body", as: Data.self) ?? Data()))
    }

    public func completeIdempotencyKey(_ key: String, in workspace: Workspace.ID, response: IdempotentResponse) async throws {
        try await transaction { connection in
            try await connection.execute(
                """
                UPDATE idempotency_keys SET status = \(response.status), content_type = \(response.contentType),
                    body = \(response.body)
                WHERE workspace_id = \(workspace.rawValue) AND key = \(key)
                """, logger: logger)
        }
    }

    public func releaseIdempotencyKey(_ key: String, in workspace: Workspace.ID) async throws {
        try await transaction { connection in
            // Only an unfinished claim is forgotten: a stored response stays replayable.
            try await connection.execute(
                """
                DELETE FROM idempotency_keys
                WHERE workspace_id = \(workspace.rawValue) AND key = \(key) AND status IS NULL
                """, logger: logger)
        }
    }

    public func purgeIdempotencyKeys(createdBefore date: Date) async throws -> Int {
        try await transaction { connection in
            let row = try await connection.row(
                """
                WITH purged AS (DELETE FROM idempotency_keys WHERE created_at < \(date) RETURNING 1)
                SELECT count(*) AS purged FROM purged
                """, logger: logger)
            return try row?.required("purged", as: Int.self) ?? 0
        }
    }
}
