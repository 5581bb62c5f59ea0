import BatchSenderCore

/// The locked batches events are applied to, with their counts as moved so far.
struct EventApplication {
    var batches: [Batch.ID: Batch]
    var changed: Set<Batch.ID> = []
}
