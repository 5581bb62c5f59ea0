import BatchSenderAPI
import BatchSenderCore
import BatchSenderSecrets
import BatchSenderStore
import BatchSenderWorker
import Foundation
import Hummingbird
import Logging
import NIOSSL
import ServiceLifecycle

/// The composition root: the only place that knows which store and services exist.
public enum BatchSender {
    /// The master key: `BATCHSENDER_MASTER_KEY`, or in SQLite mode the key file beside the database.
    public static func masterKey(_ config: AppConfig) throws -> Data {
        if let configured = config.masterKey { return try MasterKey.decode(configured) }
        switch config.database {
        case .sqlite(let path): return try MasterKey.loadOrCreate(at: AppConfig.keyFilePath(forDatabase: path))
        case .postgres: throw ConfigError("BATCHSENDER_MASTER_KEY is required with PostgreSQL")
        }
    }

    /// Creates the `default` workspace and its admin key on an empty database; returns the
    /// plaintext key when it did (to print once), `nil` otherwise.
    public static func bootstrap(_ store: some WorkspaceStore, now: Date = Date()) async throws -> String? {
        let workspace = Workspace(id: .generate(at: now), slug: "default", createdAt: now)
        let (key, plaintext) = APIKey.make(name: "admin", in: workspace.id, at: now)
        return try await store.bootstrap(workspace: workspace, key: key) ? plaintext : nil
    }

    /// Creates an API key with `scopes` in the workspace `slug` (creating the workspace if needed).
    public static func createKey(
        name: String, workspaceSlug slug: String, scopes: [APIScope] = APIScope.defaultScopes,
        in store: some WorkspaceStore, now: Date = Date()
    ) async throws -> String {
        let workspace = try await ensureWorkspace(slug: slug, in: store, now: now)
        let (key, plaintext) = APIKey.make(name: name, scopes: scopes, in: workspace.id, at: now)
        try await store.insertAPIKey(key, by: ChangeContext(actor: .cli("keys create")))
        return plaintext
    }

    /// The workspace `slug`, created when absent; a malformed slug is a `ConfigError`.
    static func ensureWorkspace(slug: String, in store: some WorkspaceStore, now: Date) async throws -> Workspace {
        guard Self.isValidSlug(slug) else {
            throw ConfigError("workspace slug must be 1 to 64 of a-z, 0-9 and -, got \(slug)")
        }
        return try await store.ensureWorkspace(Workspace(id: .generate(at: now), slug: slug, createdAt: now))
    }

    static func isValidSlug(_ slug: String) -> Bool {
        (1...64).contains(slug.count) && slug.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    /// The API services for a store and configuration.
    public static func services<Store: DataStore>(
        _ config: AppConfig, store: Store, masterKey: Data, notifier: any DeliveryNotifier = SilentNotifier(),
        metrics: MetricsEndpoint? = nil, testSender: TestSender? = nil, events: EventServices? = nil
    ) throws -> APIServices<Store> {
        APIServices(
            store: store, sealer: try CredentialSealer(masterKey: masterKey),
            addresses: AddressValidator(policy: config.networkPolicy), notifier: notifier,
            metrics: metrics, testSender: testSender, events: events,
            rateLimiter: config.apiRateLimit.map { KeyedRateLimiter($0) })
    }

    /// `batchsender serve`: opens the configured store, builds the server for `config.role` and
    /// runs it until SIGTERM or SIGINT. `announce` receives the one-time admin key line.
    public static func serve(_ config: AppConfig, logger: Logger, announce: @Sendable (String) -> Void = { print($0) })
        async throws
    {
        // Bootstrap metrics before anything records one: instruments made earlier would be no-ops.
        _ = PrometheusExport.registry
        // Bad TLS files fail the start before the database is opened or migrated.
        let tls = try config.tls.map { files throws(ConfigError) in try ServerTLS.configuration(files) }
        var lock: ServeLock?
        if case .sqlite(let path) = config.database { lock = try ServeLock(databasePath: path) }
        try await withStore(config, logger: logger) { store in
            let app = try await buildApplication(
                config, store: store, lock: lock, tls: tls, logger: logger, announce: announce)
            try await run(app, logger: logger)
        }
    }

    /// The whole server on an open store: bootstrap, then the routes and services of
    /// `config.role` (see `RolePlan`), in one `ServiceGroup`-ready application.
    static func buildApplication<Store: DataStore>(
        _ config: AppConfig, store: Store, lock: ServeLock?, tls: TLSConfiguration? = nil, logger: Logger,
        announce: @Sendable (String) -> Void
    ) async throws -> Application<RouterResponder<APIContext>> {
        if lock != nil {
            // We own the SQLite database: whatever is still `sending` was in flight when a previous
            // process died. Take it back now instead of waiting for its leases to expire. Never on
            // PostgreSQL, where other processes may be mid-call: the maintenance rescuer takes
            // back only expired leases there.
            let rescued = try await store.rescueLeases(expiringBy: .distantFuture, now: Date())
            if rescued > 0 {
                logger.warning("re-queued recipients that were in flight when the last process stopped",
                    metadata: ["recipients": "\(rescued)"])
            }
        }
        let key = try masterKey(config)
        if let adminKey = try await bootstrap(store) { announce("admin api key: \(adminKey)") }
        let plan = RolePlan(config.role)
        let sealer = try CredentialSealer(masterKey: key)
        let signal = EngineSignal()
        let wakeups = Wakeups.make(store: store, plan: plan, signal: signal, logger: logger)
        let engine = try Engine.make(
            config, store: store, sealer: sealer, masterKey: key, signal: signal, notifier: wakeups.notifier, logger: logger)
        let metrics = MetricsEndpoint(token: config.metricsToken) { try await PrometheusExport.render(queue: store) }
        let router: Router<APIContext>
        if plan.servesAPI {
            router = buildAPIRouter(
                try services(
                    config, store: store, masterKey: key, notifier: wakeups.notifier, metrics: metrics,
                    testSender: engine.testSender, events: engine.events))
        } else {
            router = buildOperationsRouter(store: store, metrics: metrics)
        }
        let limits = HTTPServerLimits()
        return Application(
            router: router, server: try limits.server(tls: tls),
            configuration: limits.configuration(
                address: .hostname(config.host, port: config.port), serverName: "BatchSender", logger: logger),
            // Services stop in reverse order: the HTTP server first, the database lock last; the
            // HTTP client after the engine whose calls it carries.
            services: [LockHolder(lock: lock), engine.httpClient] + wakeups.listeners + (plan.delivers ? engine.delivery : []),
            logger: logger)
    }

    /// Runs the server until SIGTERM or SIGINT. Graceful shutdown is bounded: the engine gives
    /// calls `shutdownCallDeadline` and writes `shutdownWriteDeadline`; whatever still runs after
    /// 28 s is cancelled, so the process exits within CONTRACT §8's 30 s.
    public static func run(_ app: some ApplicationProtocol, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(28)
        try await ServiceGroup(configuration: configuration).run()
    }
}
