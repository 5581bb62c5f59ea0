import BatchSenderCore
import Foundation

extension InMemoryStore {
    /// Recipients ready to be stored: new ones only, in input order, with their status decided.
    struct Admission {
        var rows: [StoredRecipient] = []
        var result = RecipientAddResult()
    }

    public func addRecipients(
        to id: Batch.ID, in workspace: Workspace.ID,
        chunks: AsyncThrowingStream<[NewRecipient], any Error>,
        maxRecipients: Int, at now: Date
    ) async throws -> RecipientAddResult {
        _ = try requireDraft(id, in: workspace)
        // Read the whole stream before touching the batch: a throwing stream stores nothing.
        // (Memory is not bounded here; that promise is about the database drivers.)
        var input: [NewRecipient] = []
        for try await chunk in chunks { input.append(contentsOf: chunk) }
        // A cancelled task ends the stream early, as if complete: never commit a partial upload.
        try Task.checkCancellation()
        // The actor may have run other calls while the stream was read: check again.
        var batch = try requireDraft(id, in: workspace)
        let admitted = admit(input, to: batch, at: now)
        guard admitted.result.total <= maxRecipients else {
            throw StoreError.unprocessable(
                "batch would have \(admitted.result.total) recipients; the limit is \(maxRecipients)")
        }
        commit(admitted, to: &batch)
        batch.updatedAt = now
        batches[id] = batch
        return admitted.result
    }

    public func recipients(
        of id: Batch.ID, in workspace: Workspace.ID, status: RecipientStatus?, page: PageRequest
    ) async throws -> Page<Recipient> {
        guard batches[id]?.workspaceID == workspace else { throw StoreError.notFound("batch \(id)") }
        let rows = recipients[id] ?? []
        var afterRow: Int64?
        if let after = page.after {
            let cursor = Recipient.ID(rawValue: after)
            guard let row = cursor.row, rows.contains(where: { $0.recipient.id == cursor }) else {
                throw StoreError.invalidCursor
            }
            afterRow = row
        }
        let matching = rows.lazy.map(\.recipient).filter { recipient in
            (status.map { recipient.status == $0 } ?? true)
                && (afterRow.map { (recipient.id.row ?? 0) > $0 } ?? true)
        }
        let limit = max(page.limit, 1)
        let items = Array(matching.prefix(limit + 1))
        let more = items.count > limit
        let pageItems = Array(items.prefix(limit))
        return Page(items: pageItems, nextAfter: more ? pageItems.last?.id.rawValue : nil)
    }

    /// The batch when it exists in `workspace` and is a draft.
    private func requireDraft(_ id: Batch.ID, in workspace: Workspace.ID) throws -> Batch {
        guard let batch = batches[id], batch.workspaceID == workspace else { throw StoreError.notFound("batch \(id)") }
        guard batch.status == .draft else {
            throw StoreError.conflict("batch is \(batch.status.rawValue); recipients can only be added to a draft")
        }
        return batch
    }

    /// Decides which of `input` are new to `batch` (first occurrence wins) and which are suppressed.
    /// Row numbers are handed out by `commit`, so a refused admission leaves no gap.
    func admit(_ input: [NewRecipient], to batch: Batch, at now: Date) -> Admission {
        var seen = normalizedIndex[batch.id] ?? []
        let suppressed = suppressions[batch.workspaceID] ?? [:]
        var admission = Admission()
        for candidate in input {
            guard seen.insert(candidate.normalizedTo).inserted else {
                admission.result.duplicates += 1
                continue
            }
            let isSuppressed = suppressed[candidate.normalizedTo] != nil
            let recipient = Recipient(
                id: Recipient.ID(rawValue: ""), batchID: batch.id, to: candidate.to, variables: candidate.variables,
                status: isSuppressed ? .suppressed : .pending, updatedAt: now)
            admission.rows.append(StoredRecipient(recipient: recipient, normalizedTo: candidate.normalizedTo))
            admission.result.added += 1
            if isSuppressed { admission.result.suppressed += 1 }
        }
        admission.result.total = batch.counts.total + admission.result.added
        return admission
    }

    /// Stores admitted recipients and adds them to `batch.counts`.
    func commit(_ admission: Admission, to batch: inout Batch) {
        var rows = recipients[batch.id] ?? []
        var index = normalizedIndex[batch.id] ?? []
        rows.reserveCapacity(rows.count + admission.rows.count)
        for var row in admission.rows {
            lastRecipientRow += 1
            row.recipient.id = Recipient.ID(row: lastRecipientRow)
            batch.counts[row.recipient.status] += 1
            index.insert(row.normalizedTo)
            rows.append(row)
        }
        recipients[batch.id] = rows
        normalizedIndex[batch.id] = index
    }
}
