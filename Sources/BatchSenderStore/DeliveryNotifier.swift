import BatchSenderCore

/// Wake-ups for the delivery engine, so new work starts at once instead of at the next poll
/// (polling stays as the fallback). In one process the engine's `EngineSignal` is the notifier;
/// with PostgreSQL, `LISTEN/NOTIFY` carries the same three calls to the other processes.
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

/// Tells every one of its notifiers, in order: this process's engine and the other processes.
public struct FanOutNotifier: DeliveryNotifier {
    public let notifiers: [any DeliveryNotifier]

    public init(_ notifiers: [any DeliveryNotifier]) { self.notifiers = notifiers }

    public func workAvailable() {
        for notifier in notifiers { notifier.workAvailable() }
    }

    public func batchChanged(_ id: Batch.ID) {
        for notifier in notifiers { notifier.batchChanged(id) }
    }

    public func sendConfigChanged(_ id: SendConfig.ID) {
        for notifier in notifiers { notifier.sendConfigChanged(id) }
    }
}
