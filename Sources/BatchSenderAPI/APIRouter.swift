import BatchSenderStore
import Hummingbird

/// Builds the router of the whole HTTP API: public operations routes, then everything under
/// `/v1` behind bearer authentication.
public func buildAPIRouter<Store: DataStore>(_ services: APIServices<Store>) -> Router<APIContext> {
    let router = Router(context: APIContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ProblemMiddleware())
    OperationsController(store: services.store).addRoutes(to: router)
    if let metrics = services.metrics { MetricsController(endpoint: metrics).addRoutes(to: router) }

    // Provider callbacks authenticate by their signatures, not by API keys.
    EventsController(services: services).addRoutes(to: router.group("v1/events"))

    let v1 = router.group("v1").add(middleware: AuthMiddleware(store: services.store))
    SendConfigsController(services: services).addRoutes(to: v1.group("send-configs"))
    BatchesController(services: services).addRoutes(to: v1.group("batches"))
    RecipientsController(services: services).addRoutes(to: v1.group("batches"))
    APIKeysController(services: services).addRoutes(to: v1.group("api-keys"))
    SuppressionsController(services: services).addRoutes(to: v1.group("suppressions"))
    return router
}

/// The router of a process that only delivers (`serve --role worker`): `/health`, `/ready` and
/// `/metrics`, nothing else (CONTRACT §9).
public func buildOperationsRouter(store: some StoreHealth, metrics: MetricsEndpoint?) -> Router<APIContext> {
    let router = Router(context: APIContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ProblemMiddleware())
    OperationsController(store: store).addRoutes(to: router)
    if let metrics { MetricsController(endpoint: metrics).addRoutes(to: router) }
    return router
}
