import BatchSenderCore
import Foundation

extension InMemoryStore {
    static let activeStatuses: Set<BatchStatus> = [.queued, .processing]

    public func sendConfigsWithDueWork(now: Date) async throws -> [SendConfig.ID] {
        var due: Set<SendConfig.ID> = []
        for batch in batches.values where Self.activeStatuses.contains(batch.status) && batch.counts.queued > 0 {
            if recipients[batch.id]?.contains(where: { $0.recipient.isDue(now) }) == true { due.insert(batch.sendConfigID) }
        }
        return due.sorted()
    }

    public func claim(sendConfig: SendConfig.ID, limit: Int, now: Date, leaseDuration: TimeInterval) async throws
        -> [ClaimedDelivery]
    {
        guard limit > 0 else { return [] }
        lastLeaseToken += 1
        let token = lastLeaseToken
        var claimed: [ClaimedDelivery] = []
        // Fair shares, as the SQL drivers: each active batch gets up to an equal part first.
        var remaining = batches.values.filter { $0.sendConfigID == sendConfig && Self.activeStatuses.contains($0.status) }
            .sorted { $0.id < $1.id }.map(\.id)
        while claimed.count < limit, !remaining.isEmpty {
            let share = max(1, (limit - claimed.count + remaining.count - 1) / remaining.count)
            var stillDue: [Batch.ID] = []
            for id in remaining where claimed.count < limit {
                let (taken, more) = claim(from: id, limit: min(share, limit - claimed.count), token: token, now: now,
                                          leaseDuration: leaseDuration)
                claimed += taken
                if more { stillDue.append(id) }
            }
            remaining = stillDue
        }
        return claimed
    }

    /// Claims up to `limit` due recipients of one batch; `more` when it may have further due ones.
    private func claim(from id: Batch.ID, limit: Int, token: Int64, now: Date, leaseDuration: TimeInterval)
        -> (claimed: [ClaimedDelivery], more: Bool)
    {
        guard var batch = batches[id], var rows = recipients[id] else { return ([], false) }
        var claimed: [ClaimedDelivery] = []
        let due = rows.indices.filter { rows[$0].recipient.isDue(now) }
            .sorted { (rows[$0].recipient.nextAttemptAt ?? now, $0) < (rows[$1].recipient.nextAttemptAt ?? now, $1) }
        let suppressed = Set((suppressions[batch.workspaceID] ?? [:]).keys)
        for index in due.prefix(limit) {
            var recipient = rows[index].recipient
            recipient.updatedAt = now
            if suppressed.contains(rows[index].normalizedTo) {
                recipient.status = .suppressed
                batch.counts.move(1, from: .queued, to: .suppressed)
                rows[index].recipient = recipient
                leases[recipient.id] = nil
                continue
            }
            recipient.status = .sending
            recipient.attempts += 1
            rows[index].recipient = recipient
            batch.counts.move(1, from: .queued, to: .sending)
            let expiry = now.addingTimeInterval(leaseDuration)
            leases[recipient.id] = (token, expiry)
            claimed.append(ClaimedDelivery(
                recipientID: recipient.id, batchID: batch.id, to: recipient.to, variables: recipient.variables,
                attempt: recipient.attempts, maxAttempts: batch.maxAttempts, dryRun: batch.dryRun, leaseToken: token,
                leaseExpiresAt: expiry, generation: recipient.retryGeneration))
        }
        recipients[id] = rows
        if due.isEmpty { return ([], false) }
        batch = BatchLifecycle.claimed(batch, at: now)
        batch.updatedAt = now
        batches[id] = BatchLifecycle.settle(batch, at: now)
        return (claimed, due.count > limit)
    }

    public func extendLeases(_ held: [(Recipient.ID, leaseToken: Int64)], until: Date) async throws {
        for (id, token) in held where leases[id]?.token == token && leases[id]?.expiresAt != .distantFuture {
            leases[id]?.expiresAt = until
        }
    }

    public func complete(_ completions: [DeliveryCompletion], now: Date) async throws -> CompletionReport {
        var report = CompletionReport()
        var touched: Set<Batch.ID> = []
        // Batches not complete before this call (events applied on the way may settle them).
        let open = Set(completions.compactMap { batches[$0.batchID]?.completedAt == nil ? $0.batchID : nil })
        for completion in completions {
            // The claim's token still on the row: in flight, or rescued and not claimed again.
            guard leases[completion.recipientID]?.token == completion.leaseToken,
                var batch = batches[completion.batchID],
                let index = recipients[completion.batchID]?.firstIndex(where: { $0.recipient.id == completion.recipientID }),
                let before = recipients[completion.batchID]?[index].recipient.status,
                [.sending, .queued, .cancelled, .failed].contains(before)
            else {
                report.lost.append(completion.recipientID)
                continue
            }
            leases[completion.recipientID] = nil
            guard let next = recipients[completion.batchID]?[index].recipient.resolve(
                completion.resolution, batchCancelled: batch.status == .cancelled, at: now)
            else { continue }
            if let segments = completion.segments { recipients[completion.batchID]?[index].recipient.segments = segments }
            if case .optedOut = completion.resolution, let address = recipients[completion.batchID]?[index].normalizedTo,
                suppressions[batch.workspaceID]?[address] == nil
            {
                suppressions[batch.workspaceID, default: [:]][address] = Suppression(
                    address: address, workspaceID: batch.workspaceID, reason: .unsubscribe, createdAt: now)
            }
            batch.counts.move(1, from: before, to: next)
            if before != .sending { report.late += 1 }
            batch.updatedAt = now
            batches[batch.id] = batch
            if let messageID = recipients[completion.batchID]?[index].recipient.providerMessageID, next == .sent || next == .delivered {
                applyPendingEvents(to: completion.recipientID, batch: completion.batchID, messageID: messageID, now: now)
            }
            touched.insert(batch.id)
            report.applied += 1
        }
        for id in touched.sorted() {
            guard let batch = batches[id] else { continue }
            let settled = BatchLifecycle.settle(batch, at: now)
            if settled.completedAt != nil && open.contains(id) { report.completedBatches.append(id) }
            batches[id] = settled
        }
        return report
    }

    public func rescueLeases(expiringBy: Date, now: Date) async throws -> Int {
        let expired = leases.filter { $0.value.expiresAt <= expiringBy }.map(\.key)
        var rescued = 0
        for id in expired {
            // The token stays (a late outcome may still apply); the lease no longer expires.
            leases[id]?.expiresAt = .distantFuture
            for (batchID, rows) in recipients {
                guard let index = rows.firstIndex(where: { $0.recipient.id == id && $0.recipient.status == .sending }),
                    var batch = batches[batchID]
                else { continue }
                let (next, error) = LeaseRescue.outcome(
                    attempts: rows[index].recipient.attempts, maxAttempts: batch.maxAttempts,
                    batchCancelled: batch.status == .cancelled)
                recipients[batchID]?[index].recipient.status = next
                recipients[batchID]?[index].recipient.nextAttemptAt = now
                recipients[batchID]?[index].recipient.updatedAt = now
                if let error { recipients[batchID]?[index].recipient.lastError = error }
                batch.counts.move(1, from: .sending, to: next)
                batches[batchID] = BatchLifecycle.settle(batch, at: now)
                rescued += 1
            }
        }
        return rescued
    }

    public func startScheduledBatches(now: Date) async throws -> [Batch.ID] {
        var started: [Batch.ID] = []
        for batch in batches.values where batch.status == .scheduled && (batch.scheduledAt ?? now) <= now {
            var next = BatchLifecycle.scheduleReached(batch)
            next.updatedAt = now
            for index in (recipients[batch.id] ?? []).indices where recipients[batch.id]?[index].recipient.status == .pending {
                recipients[batch.id]?[index].recipient.status = .queued
                recipients[batch.id]?[index].recipient.nextAttemptAt = now
                recipients[batch.id]?[index].recipient.updatedAt = now
            }
            next.counts.move(next.counts.pending, from: .pending, to: .queued)
            batches[batch.id] = BatchLifecycle.settle(next, at: now)
            started.append(batch.id)
        }
        return started.sorted()
    }

    public func repairStuckBatches(now: Date) async throws -> [Batch.ID] {
        var repaired: [Batch.ID] = []
        // The batches the SQL drivers check: still open, or cancelled with calls still out.
        for (id, batch) in batches
        where [.queued, .processing, .paused].contains(batch.status) || (batch.status == .cancelled && batch.completedAt == nil) {
            var fixed = batch
            fixed.counts = Self.count(recipients[id] ?? [])
            fixed = BatchLifecycle.settle(fixed, at: now)
            if fixed != batch {
                fixed.updatedAt = now
                batches[id] = fixed
                repaired.append(id)
            }
        }
        return repaired.sorted()
    }

    public func acquireLeadership(_ name: String, holder: String, now: Date, ttl: TimeInterval) async throws -> Bool {
        if let current = leaders[name], current.holder != holder, current.expiresAt > now { return false }
        leaders[name] = (holder, now.addingTimeInterval(ttl))
        return true
    }

    public func batchForDelivery(_ id: Batch.ID) async throws -> Batch? { batches[id] }

    public func sendConfigForDelivery(_ id: SendConfig.ID) async throws -> SendConfig? { sendConfigs[id] }

    public func batchStatuses(_ ids: [Batch.ID]) async throws -> [Batch.ID: BatchStatus] {
        Dictionary(ids.compactMap { id in batches[id].map { (id, $0.status) } }, uniquingKeysWith: { first, _ in first })
    }

    public func recordSandboxMessages(_ messages: [SandboxMessage]) async throws {
        for message in messages { sandboxMessages[message.batchID, default: []].append(message) }
    }

    public func sandboxMessages(of batch: Batch.ID, limit: Int) async throws -> [SandboxMessage] {
        Array((sandboxMessages[batch] ?? []).prefix(limit))
    }

    public func queueDepth() async throws -> Int {
        batches.values.reduce(0) { $0 + $1.counts.queued + $1.counts.sending }
    }

    public func batchCountsByStatus() async throws -> [BatchStatus: Int] {
        batches.values.reduce(into: [:]) { $0[$1.status, default: 0] += 1 }
    }
}

