/// Size limits of the API (CONTRACT §2), configurable at start-up.
public struct Limits: Hashable, Sendable {
    /// Largest JSON request body in bytes (default 10 MiB).
    public var maxJSONBodyBytes: Int
    /// Largest CSV request body in bytes (default 256 MiB).
    public var maxCSVBodyBytes: Int
    /// Most recipients in one JSON request (default 10,000).
    public var maxRecipientsPerRequest: Int
    /// Most recipients in one batch (default 1,000,000).
    public var maxRecipientsPerBatch: Int

    public init(
        maxJSONBodyBytes: Int = 10 << 20, maxCSVBodyBytes: Int = 256 << 20,
        maxRecipientsPerRequest: Int = 10_000, maxRecipientsPerBatch: Int = 1_000_000
    ) {
        self.maxJSONBodyBytes = maxJSONBodyBytes
        self.maxCSVBodyBytes = maxCSVBodyBytes
        self.maxRecipientsPerRequest = maxRecipientsPerRequest
        self.maxRecipientsPerBatch = maxRecipientsPerBatch
    }
}
