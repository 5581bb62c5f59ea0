import BatchSenderCore
import Foundation

/// A `DataStore` held in memory, with the same semantics as the SQLite store.
///
/// Used by fast API tests and as the reference the conformance suite checks drivers against.
/// Being an actor, every method runs serially: each one is a "transaction". `addRecipients` reads
/// its stream outside any such section and applies the whole upload in one step at the end, so
/// concurrent calls interleave exactly as they would against a database.
public actor InMemoryStore: DataStore {
    /// A recipient row plus the deduplication key the public `Recipient` does not expose.
    struct StoredRecipient {
        var recipient: Recipient
        var normalizedTo: String
    }

    /// An `Idempotency-Key` record; `response` is `nil` while the first request runs.
    struct IdempotencyRecord {
        var requestHash: String
        var createdAt: Date
        var response: IdempotentResponse?
    }

    struct IdempotencyKey: Hashable {
        var workspace: Workspace.ID
        var key: String
    }

    var workspaces: [Workspace.ID: Workspace] = [:]
    var apiKeys: [APIKey.ID: APIKey] = [:]
    var users: [User.ID: User] = [:]
    var sendConfigs: [SendConfig.ID: SendConfig] = [:]
    var batches: [Batch.ID: Batch] = [:]
    /// Recipients of each batch in insertion (row) order.
    var recipients: [Batch.ID: [StoredRecipient]] = [:]
    /// `normalizedTo` values present in each batch, for deduplication.
    var normalizedIndex: [Batch.ID: Set<String>] = [:]
    var suppressions: [Workspace.ID: [String: Suppression]] = [:]
    var idempotency: [IdempotencyKey: IdempotencyRecord] = [:]
    /// The last recipient row number handed out; rows are never reused.
    var lastRecipientRow: Int64 = 0

    /// Delivery leases of recipients in `sending`: the claim's token and its expiry.
    var leases: [Recipient.ID: (token: Int64, expiresAt: Date)] = [:]
    var lastLeaseToken: Int64 = 0
    /// Maintenance leader leases: holder and expiry by lease name.
    var leaders: [String: (holder: String, expiresAt: Date)] = [:]
    var sandboxMessages: [Batch.ID: [SandboxMessage]] = [:]
    /// Provider events in arrival order, and the event ids seen per send config.
    var providerEvents: [StoredEvent] = []
    var eventIDs: [SendConfig.ID: Set<String>] = [:]

    /// A recorded provider event and where it landed.
    struct StoredEvent {
        var sendConfigID: SendConfig.ID
        var provider: Provider
        var event: ProviderEvent
        var receivedAt: Date
        var recipient: (batch: Batch.ID, id: Recipient.ID)?
        var effect: RecipientEvent.Effect
    }

    public init() {}

    public func checkReady() async throws {}
}
