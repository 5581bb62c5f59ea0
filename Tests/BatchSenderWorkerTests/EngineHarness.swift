import BatchSenderCore
import BatchSenderDelivery
import BatchSenderSQLite
import BatchSenderStore
import BatchSenderTesting
import BatchSenderWorker
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A provider that answers from a script and records every call.
final class ScriptedProvider: DeliveryProvider, Sendable {
    typealias Script = @Sendable (OutboundMessage, _ call: Int) async -> DeliveryOutcome
    private let script: Script
    private let calls = Mutex<[OutboundMessage]>([])
    let maxBatchSize: Int

    init(maxBatchSize: Int = 1, _ script: @escaping Script = { m, _ in .accepted(providerMessageID: "p-\(m.idempotencyKey)", delivered: false) }) {
        self.maxBatchSize = maxBatchSize
        self.script = script
    }

    var received: [OutboundMessage] { calls.withLock { $0 } }

    /// `shutdown()` calls, and how many messages had been sent when each came.
    private let shutdowns = Mutex<[Int]>([])
    var shutdownCalls: [Int] { shutdowns.withLock { $0 } }

    func shutdown() async {
        let sent = received.count
        shutdowns.withLock { $0.append(sent) }
    }

    func destination(of message: OutboundMessage) -> String { "scripted.example" }

    func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] {
        var outcomes: [DeliveryOutcome] = []
        for message in messages {
            let index = calls.withLock { calls in
                calls.append(message)
                return calls.count
            }
            outcomes.append(await script(message, index))
        }
        return outcomes
    }
}

/// A gate a scripted provider can wait on, opened by the test.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// What the engine tests need of a store: the API side to set batches up, the queue to run them.
typealias EngineStore = DataStore & DeliveryQueue & EventStore

/// Which store an engine test runs on: the in-memory reference, and the real SQLite driver.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, sqlite
    var testDescription: String { rawValue }

    func harness() async throws -> EngineHarness {
        switch self {
        case .memory: return EngineHarness()
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("batchsender-engine-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let store = try await SQLiteStore.open(path: directory.appendingPathComponent("engine.db").path)
            return EngineHarness(store: store, directory: directory)
        }
    }
}

/// An engine on a store (in memory unless told otherwise), running until the test ends.
final class EngineHarness: Sendable {
    let store: any EngineStore
    /// A temporary directory holding the store's files, removed with the harness.
    let directory: URL?
    let fixtures = Fixtures()
    let completed = Mutex<[Batch.ID]>([])
    /// How often the engine built a provider (once per runner start).
    let providerBuilds = Mutex(0)
    /// The send configs providers were built from, in order.
    let builtFrom = Mutex<[SendConfig]>([])

    init(store: any EngineStore = InMemoryStore(), directory: URL? = nil) {
        self.store = store
        self.directory = directory
    }

    deinit {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    static func settings() -> EngineSettings {
        var settings = EngineSettings()
        settings.pollInterval = .milliseconds(20)
        settings.retryPolicy = RetryPolicy(base: 0.01, cap: 0.05, maxRetryAfter: 7200)
        settings.statusRefreshInterval = 0
        settings.breakerOpenDuration = 3600
        return settings
    }

    /// A sent batch of `count` webhook-ish recipients on a config with `maxConcurrency`.
    func sentBatch(
        count: Int, maxAttempts: Int = 5, dryRun: Bool = false, maxConcurrency: Int = 4, perSecond: Double = 10_000
    ) async throws -> Batch {
        let workspace = try await store.ensureWorkspace(fixtures.workspace())
        var config = fixtures.sendConfig(in: workspace.id, module: .sms)
        config.settings = [:]
        config.maxConcurrency = maxConcurrency
        config.rateLimit = RateLimit(perSecond: perSecond, burst: Int(perSecond))
        try await store.insertSendConfig(config)
        var batch = fixtures.batch(for: config)
        batch.payload = ["from": "ACME", "message": "Hi {{name}}"]
        batch.maxAttempts = maxAttempts
        batch.dryRun = dryRun
        let phones = (0..<count).map { "+1415555\(String(format: "%04d", $0))" }
        _ = try await store.createBatch(batch, recipients: fixtures.recipients(phones, module: .sms))
        return try await store.apply(.send, to: batch.id, in: workspace.id, at: Date())
    }

    /// Runs an engine with `provider` while `body` runs, then shuts it down gracefully.
    /// With `queue`, the engine works through it (a `ProxyQueue` staging failures); with
    /// `maintenance`, a maintenance service (rescuer) runs beside it every 50 ms.
    func run(
        _ provider: ScriptedProvider, settings: EngineSettings = EngineHarness.settings(), queue: (any DeliveryQueue)? = nil,
        maintenance: Bool = false, now: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (DeliveryEngine) async throws -> Void
    ) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let queue = queue ?? store
        let signal = EngineSignal()
        let engine = DeliveryEngine(
            queue: queue,
            providers: { config in
                self.providerBuilds.withLock { $0 += 1 }
                self.builtFrom.withLock { $0.append(config) }
                return provider
            },
            settings: settings, signal: signal, now: now, logger: logger,
            onBatchesCompleted: { ids in self.completed.withLock { $0 += ids } })
        var services: [any Service] = [engine]
        if maintenance {
            services.append(Maintenance(queue: queue, notifier: signal, logger: logger, interval: .milliseconds(50)))
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(engine)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Polls the batch until `condition` holds (bounded: fails after ~20 s).
    func waitFor(_ id: Batch.ID, _ condition: (Batch) -> Bool) async throws -> Batch {
        for _ in 0..<2_000 {
            if let batch = try await store.batchForDelivery(id), condition(batch) { return batch }
            try await Task.sleep(for: .milliseconds(10))
        }
        let last = try await store.batchForDelivery(id)
        Issue.record("condition not reached; batch is \(String(describing: last?.status)) \(String(describing: last?.counts))")
        throw CancellationError()
    }

    func recipients(_ batch: Batch) async throws -> [Recipient] {
        try await store.recipients(of: batch.id, in: batch.workspaceID, status: nil, page: PageRequest(limit: 500)).items
    }
}
