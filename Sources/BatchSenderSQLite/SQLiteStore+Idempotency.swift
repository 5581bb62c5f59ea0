import BatchSenderCore
import BatchSenderStore
import Foundation
import GRDB

extension SQLiteStore {
    public func claimIdempotencyKey(
        _ key: String, in workspace: Workspace.ID, requestHash: String, at now: Date, expiry: TimeInterval
    ) async throws -> IdempotencyClaim {
        try await write { db in
            let arguments: StatementArguments = [workspace.rawValue, key]
            if let row = try Row.fetchOne(
                db, sql: "SELECT * FROM idempotency_keys WHERE workspace_id = ? AND key = ?", arguments: arguments),
                IdempotencyWindow.isLive(
                    createdAt: try row.date("created_at"), finished: try row.optional("status", as: Int.self) != nil,
                    at: now, expiry: expiry)
            {
                guard try row.required("request_hash", as: String.self) == requestHash else { return .mismatch }
                guard let status = try row.optional("status", as: Int.self) else { return .inProgress }
                return .replay(
                    IdempotentResponse(
                        status: status, contentType: try row.optional("content_type") ?? "application/json",
                        body: try row.optional("body") ?? Data()))
            }
            // Absent, expired or abandoned: (re)claim it.
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO idempotency_keys (workspace_id, key, request_hash, status, content_type, body, created_at)
                    VALUES (?, ?, ?, NULL, NULL, NULL, ?)
                    """, arguments: [workspace.rawValue, key, requestHash, now.unixTime])
            return .claimed
        }
    }

    public func completeIdempotencyKey(_ key: String, in workspace: Workspace.ID, response: IdempotentResponse) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE workspace_id = ? AND key = ?",
                arguments: [response.status, response.contentType, response.body, workspace.rawValue, key])
        }
    }

    public func releaseIdempotencyKey(_ key: String, in workspace: Workspace.ID) async throws {
        try await write { db in
            // Only an unfinished claim is forgotten: a stored response stays replayable.
            try db.execute(
                sql: "DELETE FROM idempotency_keys WHERE workspace_id = ? AND key = ? AND status IS NULL",
                arguments: [workspace.rawValue, key])
        }
    }

    /// Deletes records created before `date` (retention; CONTRACT §2 keeps them 24 hours).
    public func purgeIdempotencyKeys(createdBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [date.unixTime])
            return db.changesCount
        }
    }
}
