import BatchSenderCore
import Foundation

extension InMemoryStore {
    public func recordEvents(_ events: [ProviderEvent], for sendConfig: SendConfig, now: Date) async throws -> EventReport {
        var report = EventReport()
        for event in events {
            guard eventIDs[sendConfig.id, default: []].insert(event.eventID).inserted else {
                report.duplicates += 1
                continue
            }
            report.recorded += 1
            var stored = StoredEvent(
                sendConfigID: sendConfig.id, provider: sendConfig.provider, event: event, receivedAt: now, recipient: nil,
                effect: .pending)
            if let (batch, index) = match(event, sendConfig: sendConfig.id),
                recipients[batch]?[index].recipient.status.isTerminal == true
            {
                stored.recipient = (batch, recipients[batch]![index].recipient.id)
                stored.effect = apply(event, batch: batch, index: index, now: now, report: &report)
            } else {
                report.pending += 1
            }
            providerEvents.append(stored)
        }
        return report
    }

    public func recordEvents(_ submissions: [EventSubmission], now: Date) async throws -> [EventReport] {
        var reports: [EventReport] = []
        for submission in submissions {
            reports.append(try await recordEvents(submission.events, for: submission.sendConfig, now: now))
        }
        return reports
    }

    public func prunePendingEvents(receivedBefore date: Date) async throws -> Int {
        let pruned = providerEvents.filter { $0.recipient == nil && $0.receivedAt < date }
        for stored in pruned { eventIDs[stored.sendConfigID]?.remove(stored.event.eventID) }
        providerEvents.removeAll { $0.recipient == nil && $0.receivedAt < date }
        return pruned.count
    }

    public func events(of recipient: Recipient.ID, batch: Batch.ID, in workspace: Workspace.ID) async throws -> [RecipientEvent]? {
        guard batches[batch]?.workspaceID == workspace,
            recipients[batch]?.contains(where: { $0.recipient.id == recipient }) == true
        else { return nil }
        return providerEvents.filter { $0.recipient?.id == recipient }
            .sorted { ($0.event.occurredAt, $0.receivedAt) < ($1.event.occurredAt, $1.receivedAt) }
            .map {
                RecipientEvent(
                    eventID: $0.event.eventID, provider: $0.provider, kind: $0.event.kind, hard: $0.event.hard,
                    detail: $0.event.detail, occurredAt: $0.event.occurredAt, receivedAt: $0.receivedAt, effect: $0.effect)
            }
    }

    /// Applies events that waited for `recipient`'s message id; called when an outcome records it.
    func applyPendingEvents(to recipient: Recipient.ID, batch: Batch.ID, messageID: String, now: Date) {
        guard let sendConfig = batches[batch]?.sendConfigID,
            let index = recipients[batch]?.firstIndex(where: { $0.recipient.id == recipient })
        else { return }
        var report = EventReport()
        let waiting = providerEvents.indices.filter {
            providerEvents[$0].recipient == nil && providerEvents[$0].sendConfigID == sendConfig
                && providerEvents[$0].event.messageID == messageID
        }.sorted { providerEvents[$0].event.occurredAt < providerEvents[$1].event.occurredAt }
        for position in waiting {
            providerEvents[position].recipient = (batch, recipient)
            providerEvents[position].effect = apply(
                providerEvents[position].event, batch: batch, index: index, now: now, report: &report)
        }
    }

    /// The recipient an event is about, among batches sent through `sendConfig`.
    private func match(_ event: ProviderEvent, sendConfig: SendConfig.ID) -> (Batch.ID, Int)? {
        if let (batch, row) = event.keyedRecipient, batches[batch]?.sendConfigID == sendConfig,
            let index = recipients[batch]?.firstIndex(where: { $0.recipient.id == Recipient.ID(row: row) })
        {
            return (batch, index)
        }
        for (id, batch) in batches where batch.sendConfigID == sendConfig {
            if let index = recipients[id]?.firstIndex(where: { $0.recipient.providerMessageID == event.messageID }) {
                return (id, index)
            }
        }
        return nil
    }

    /// Applies one event to a matched recipient: status and counts, suppression, engagement.
    private func apply(_ event: ProviderEvent, batch id: Batch.ID, index: Int, now: Date, report: inout EventReport)
        -> RecipientEvent.Effect
    {
        guard var batch = batches[id], var stored = recipients[id]?[index] else { return .pending }
        let before = stored.recipient.status
        let alreadyEngaged = providerEvents.contains {
            $0.recipient?.id == stored.recipient.id && $0.event.kind == event.kind
        }
        let effect = stored.recipient.apply(event, at: now)
        if effect == .applied {
            batch.counts.move(1, from: before, to: stored.recipient.status)
            batch.updatedAt = now
            batch = BatchLifecycle.settle(batch, at: now)
            report.applied += 1
        }
        if !alreadyEngaged {
            if event.kind == .opened { batch.opened += 1 }
            if event.kind == .clicked { batch.clicked += 1 }
        }
        if let reason = event.suppression {
            let address = stored.normalizedTo
            if suppressions[batch.workspaceID]?[address] == nil {
                suppressions[batch.workspaceID, default: [:]][address] = Suppression(
                    address: address, workspaceID: batch.workspaceID, reason: reason, createdAt: now)
                report.suppressed.append(address)
            }
        }
        recipients[id]?[index] = stored
        batches[id] = batch
        return effect
    }
}
