import BatchSenderCore
import BatchSenderStore
import Foundation

// Next increment: batches and recipients on PostgreSQL.

extension PostgresStore: BatchStore {
    public func createBatch(_ batch: Batch, recipients: [NewRecipient]) async throws -> (Batch, RecipientAddResult) {
        throw PostgresStoreError.notImplemented("createBatch")
    }

    public func batch(_ id: Batch.ID, in workspace: Workspace.ID) async throws -> Batch? {
        throw PostgresStoreError.notImplemented("batch")
    }

    public func batches(in workspace: Workspace.ID, filter: BatchFilter, page: PageRequest) async throws -> Page<Batch> {
        throw PostgresStoreError.notImplemented("batches")
    }

    public func addRecipients(
        to batch: Batch.ID, in workspace: Workspace.ID,
        chunks: AsyncThrowingStream<[NewRecipient], any Error>,
        maxRecipients: Int, at now: Date
    ) async throws -> RecipientAddResult {
        throw PostgresStoreError.notImplemented("addRecipients")
    }

    public func recipients(
        of batch: Batch.ID, in workspace: Workspace.ID, status: RecipientStatus?, page: PageRequest
    ) async throws -> Page<Recipient> {
        throw PostgresStoreError.notImplemented("recipients")
    }

    public func apply(_ command: BatchCommand, to batch: Batch.ID, in workspace: Workspace.ID, at now: Date) async throws
        -> Batch
    {
        throw PostgresStoreError.notImplemented("apply")
    }
}
