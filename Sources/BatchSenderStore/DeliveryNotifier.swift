import BatchSenderCore

/// In-process wake-ups for the delivery engine, so new work starts at once instead of at the
/// next poll (polling stays as the fallback, and is the only signal across processes).
public protocol DeliveryNotifier: Sendable {
    /// Recipients became due (a batch was sent, resumed or retried).
    func workAvailable()
    /// A batch changed state (paused, cancelled): in-flight work for it should look again.
    func batchChanged(_ id: Batch.ID)
    /// A send config's credentials, settings or limits changed: deliveries should use the new ones.
    func sendConfigChanged(_ id: SendConfig.ID)
}

/// A notifier that tells nobody, for processes without workers.
public struct SilentNotifier: DeliveryNotifier {
    public init() {}
    public func workAvailable() {}
    public func batchChanged(_ id: Batch.ID) {}
    public func sendConfigChanged(_ id: SendConfig.ID) {}
}
