import BatchSenderCore
import Foundation

extension InMemoryStore {
    public func claimIdempotencyKey(
        _ key: String, in workspace: Workspace.ID, requestHash: String, at now: Date, expiry: TimeInterval
    ) async throws -> IdempotencyClaim {
        let id = IdempotencyKey(workspace: workspace, key: key)
        if let record = idempotency[id],
            IdempotencyWindow.isLive(createdAt: record.createdAt, finished: record.response != nil, at: now, expiry: expiry)
        {
            guard record.requestHash == requestHash else { return .mismatch }
            return record.response.map(IdempotencyClaim.replay) ?? .inProgress
        }
        idempotency[id] = IdempotencyRecord(requestHash: requestHash, createdAt: now, response: nil)
        return .claimed
    }

    public func completeIdempotencyKey(_ key: String, in workspace: Workspace.ID, response: IdempotentResponse) async throws {
        idempotency[IdempotencyKey(workspace: workspace, key: key)]?.response = response
    }

    public func releaseIdempotencyKey(_ key: String, in workspace: Workspace.ID) async throws {
        let id = IdempotencyKey(workspace: workspace, key: key)
        // Only an unfinished claim is forgotten: a stored response stays replayable.
        if idempotency[id]?.response == nil { idempotency[id] = nil }
    }

    public func purgeIdempotencyKeys(createdBefore date: Date) async throws -> Int {
        let expired = idempotency.filter { $0.value.createdAt < date }.keys
        for id in expired { idempotency[id] = nil }
        return expired.count
    }
}
