import BatchSenderCore
import Hummingbird

/// Refuses, with 403 problem+json, a request whose caller lacks the permission its route requires
/// in `RoutePermissions.table` (CONTRACT §2, §10). Added after `AuthMiddleware` on the `/v1`
/// group: Hummingbird wraps a group's middleware around each route's responder, so by the time it
/// runs the router has matched the route and set `context.endpointPath` (`/v1/batches/{id}`).
public struct PermissionMiddleware: RouterMiddleware {
    public typealias Context = APIContext

    public init() {}

    public func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        let caller = try context.requireCaller()
        let route = context.endpointPath ?? request.uri.path
        guard let required = RoutePermissions.required(request.method, route) else {
            // A route without a rule is a bug of ours: deny, and say so where it will be seen.
            context.logger.error(
                "route has no permission rule; refused", metadata: ["http.route": "\(request.method) \(route)"])
            throw APIError(.forbidden, "\(request.method) \(route) is not available to API keys")
        }
        guard caller.permissions.contains(required) else {
            let held = caller.scopes.map(\.rawValue).joined(separator: ", ")
            let needed = RoutePermissions.scopes(granting: required).map(\.rawValue).joined(separator: " or ")
            throw APIError(
                .forbidden, "this API key's scopes (\(held)) do not allow \(request.method) \(route); it needs \(needed)")
        }
        return try await next(request, context)
    }
}
