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
    ReferenceController().addRoutes(to: router)

    // Provider callbacks authenticate by their signatures, not by API keys.
    EventsController(services: services).addRoutes(to: router.group("v1/events"))

    let v1 = router.group("v1").add(middleware: AuthMiddleware(store: services.store))
    // After authentication: the limit is per key, and requests without a valid key never reach it.
    if let limiter = services.rateLimiter { v1.add(middleware: RateLimitMiddleware(limiter: limiter)) }
    // Every route of this group needs the permission `RoutePermissions` names for it.
    v1.add(middleware: PermissionMiddleware())
    SendConfigsController(services: services).addRoutes(to: v1.group("send-configs"))
    BatchesController(services: services).addRoutes(to: v1.group("batches"))
    RecipientsController(services: services).addRoutes(to: v1.group("batches"))
    APIKeysController(services: services).addRoutes(to: v1.group("api-keys"))
    SuppressionsController(services: services).addRoutes(to: v1.group("suppressions"))
    UsersController(services: services).addRoutes(to: v1.group("users"))
    // Last: it wraps only the not-found responder, and needs every route.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
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
