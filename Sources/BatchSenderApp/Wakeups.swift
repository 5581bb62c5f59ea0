import BatchSenderPostgres
import BatchSenderStore
import BatchSenderWorker
import Logging
import ServiceLifecycle

/// How news of work reaches the engines that deliver it (CONTRACT §9: work sent through any
/// process starts within a second; pause, resume and cancel reach every worker within a second).
///
/// On SQLite there is one process, and its `EngineSignal` is all there is to wake. On PostgreSQL
/// every change is also published with `NOTIFY`, and each process that delivers listens — so an
/// `api` process wakes the workers, and a worker whose maintenance starts a scheduled batch wakes
/// the others. Polling (`BATCHSENDER_POLL_INTERVAL`) stays as the fallback.
struct Wakeups {
    /// What the API and maintenance tell: this process's engine (when it delivers), and the others.
    let notifier: any DeliveryNotifier
    /// The wake-up listener, in processes that deliver on PostgreSQL.
    let listeners: [any Service]

    static func make(store: some DataStore, plan: RolePlan, signal: EngineSignal, logger: Logger) -> Wakeups {
        let local: [any DeliveryNotifier] = plan.delivers ? [signal] : []
        guard let postgres = store as? PostgresStore else {
            return Wakeups(notifier: plan.delivers ? signal : SilentNotifier(), listeners: [])
        }
        // One tag for both sides: the listener skips what this process already told `signal`.
        let origin = PostgresWakeupOrigin.random()
        let publisher = PostgresWakeupPublisher(store: postgres, origin: origin, logger: logger)
        let listeners: [any Service] = plan.delivers
            ? [PostgresWakeupListener(configuration: postgres.configuration, origin: origin, notifier: signal, logger: logger)]
            : []
        return Wakeups(notifier: FanOutNotifier(local + [publisher]), listeners: listeners)
    }
}
