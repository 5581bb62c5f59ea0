import BatchSenderCore
import BatchSenderStore
import Foundation
import Synchronization

/// The engine's `DeliveryNotifier`: wakes idle runners when work arrives or a batch changes
/// state (runners re-read a batch's status at least every half second anyway). Calls come from
/// this process's API and maintenance, and on PostgreSQL from other processes through the
/// wake-up listener (`PostgresWakeupListener`).
public final class EngineSignal: DeliveryNotifier, Sendable {
    private struct State {
        var changedConfigs: Set<SendConfig.ID> = []
        var batchVersions: [Batch.ID: Int] = [:]
    }

    private let state = Mutex(State())
    private let work = Pulse()

    public init() {}

    /// Increases with every `workAvailable`; read it before looking for work, pass it to `wait`.
    public var generation: Int { work.generation }

    public func workAvailable() { work.beat() }

    /// A batch was paused, resumed, cancelled or retried: runners drop their cached status of
    /// it at once (the API answers only after the change committed), so a cancel lets no call out.
    public func batchChanged(_ id: Batch.ID) {
        state.withLock { $0.batchVersions[id, default: 0] += 1 }
        workAvailable()
    }

    /// Increases with every `batchChanged(id)`: a cached batch status is stale once it differs.
    func version(of id: Batch.ID) -> Int {
        state.withLock { $0.batchVersions[id] ?? 0 }
    }

    public func sendConfigChanged(_ id: SendConfig.ID) {
        state.withLock { _ = $0.changedConfigs.insert(id) }
        workAvailable()
    }

    /// Whether `id` changed and its runner has not been retired yet: a runner checks before each
    /// claim, so nothing is claimed for the old provider once the change is known.
    func hasPendingChange(_ id: SendConfig.ID) -> Bool {
        state.withLock { $0.changedConfigs.contains(id) }
    }

    /// Send configs changed and not yet retired; the engine restarts their runners.
    var changedConfigs: Set<SendConfig.ID> { state.withLock { $0.changedConfigs } }

    /// The engine has stopped the runners of `ids`. Cleared only after the stop, so a runner
    /// never sees its change neither pending nor acted on (it would claim for the old config).
    func retired(_ ids: Set<SendConfig.ID>) {
        state.withLock { $0.changedConfigs.subtract(ids) }
    }

    /// Returns when work is signalled after `generation`, or after `timeout`, whichever is first.
    public func wait(after generation: Int, timeout: Duration) async {
        await work.wait(after: generation, timeout: timeout)
    }
}
