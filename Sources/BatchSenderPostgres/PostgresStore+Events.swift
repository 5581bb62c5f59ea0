import BatchSenderCore
import BatchSenderStore
import Foundation

// Next increment: provider events (CONTRACT §6) on PostgreSQL.

extension PostgresStore: EventStore {
    public func recordEvents(_ events: [ProviderEvent], for sendConfig: SendConfig, now: Date) async throws -> EventReport {
        throw PostgresStoreError.notImplemented("recordEvents")
    }

    public func recordEvents(_ submissions: [EventSubmission], now: Date) async throws -> [EventReport] {
        throw PostgresStoreError.notImplemented("recordEvents")
    }

    public func prunePendingEvents(receivedBefore date: Date) async throws -> Int {
        throw PostgresStoreError.notImplemented("prunePendingEvents")
    }

    public func events(of recipient: Recipient.ID, batch: Batch.ID, in workspace: Workspace.ID) async throws
        -> [RecipientEvent]?
    {
        throw PostgresStoreError.notImplemented("events")
    }
}
