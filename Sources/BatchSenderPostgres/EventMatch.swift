import BatchSenderCore

/// The recipient (batch, row) an event belongs to.
struct EventMatch: Hashable, Sendable {
    var batch: Batch.ID
    var row: Int64
}
