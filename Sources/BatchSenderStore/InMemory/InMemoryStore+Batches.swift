import BatchSenderCore
import Foundation

extension InMemoryStore {
    public func createBatch(_ batch: Batch, recipients input: [NewRecipient]) async throws -> (Batch, RecipientAddResult) {
        guard sendConfigs[batch.sendConfigID]?.workspaceID == batch.workspaceID else {
            throw StoreError.notFound("send config \(batch.sendConfigID)")
        }
        guard batches[batch.id] == nil else { throw StoreError.conflict("batch \(batch.id) exists") }
        var stored = batch
        stored.counts = RecipientCounts()
        let admitted = admit(input, to: stored, at: batch.createdAt)
        commit(admitted, to: &stored)
        batches[stored.id] = stored
        return (stored, admitted.result)
    }

    public func batch(_ id: Batch.ID, in workspace: Workspace.ID) async throws -> Batch? {
        batches[id].flatMap { $0.workspaceID == workspace ? $0 : nil }
    }

    public func batches(in workspace: Workspace.ID, filter: BatchFilter, page: PageRequest) async throws -> Page<Batch> {
        // The cursor must name a batch of the workspace; it need not match the filter.
        try ArrayPaging.requireCursor(page.after) { batches[Batch.ID(rawValue: $0)]?.workspaceID == workspace }
        let sorted = batches.values.filter { batch in
            batch.workspaceID == workspace && (filter.status.map { batch.status == $0 } ?? true)
                && (filter.module.map { batch.module == $0 } ?? true)
        }.sorted { $0.id > $1.id }
        return ArrayPaging.page(sorted, page: page, key: \.id.rawValue) { $0.id.rawValue < $1 }
    }

    public func apply(_ command: BatchCommand, to id: Batch.ID, in workspace: Workspace.ID, at now: Date) async throws
        -> Batch
    {
        guard let current = batches[id], current.workspaceID == workspace else { throw StoreError.notFound("batch \(id)") }
        if case .retry = command, sendConfigs[current.sendConfigID] == nil {
            throw StoreError.sendConfigGone(current.sendConfigID)
        }
        let (next, moves) = try BatchLifecycle.applying(command, to: current, at: now)
        var rows = recipients[id] ?? []
        var drifted = false
        for move in moves {
            var changed = 0
            for index in rows.indices where rows[index].recipient.status == move.from {
                rows[index].recipient.move(move, at: now)
                // A rescued row keeps its old claim's token; a retry starts afresh.
                if move.resetsAttempts { leases[rows[index].recipient.id] = nil }
                changed += 1
            }
            drifted = drifted || changed != move.count
        }
        recipients[id] = rows
        var result = next
        if drifted {
            // Counts no longer matched the rows: trust the rows, as the SQL drivers do.
            result.counts = Self.count(rows)
            result = BatchLifecycle.settle(result, at: now)
        }
        batches[id] = result
        return result
    }

    /// Counts `rows` by status.
    static func count(_ rows: [StoredRecipient]) -> RecipientCounts {
        var counts = RecipientCounts()
        for row in rows { counts[row.recipient.status] += 1 }
        return counts
    }
}

extension Recipient {
    /// Applies one lifecycle move: the shared rule of every driver. A move to `queued` makes the
    /// recipient due now; a retry also gives it a fresh attempt budget.
    mutating func move(_ move: RecipientMove, at now: Date) {
        status = move.to
        updatedAt = now
        if move.to == .queued { nextAttemptAt = now }
        if move.resetsAttempts {
            // A new try: a fresh attempt budget and idempotency key, and no old message's events.
            attempts = 0
            retryGeneration += 1
            providerMessageID = nil
        }
    }
}
