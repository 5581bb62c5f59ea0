import Hummingbird

/// Answers 405 with `Allow` (RFC 9110 §15.5.6) instead of 404 when the path exists but the method
/// does not. Hummingbird's router answers both with 404; it lists its routes, so the methods of a
/// path are known once every route is added.
///
/// Added last, so it wraps only the router's not-found responder (a router's middleware applies
/// to the routes added after it, and to the not-found responder built at the end).
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: [(path: RouterPath, method: HTTPRequest.Method)]

    init(routes: [Router<Context>.RouteDescription]) {
        self.routes = routes.map { ($0.path, $0.method) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
            let allowed = routes.filter { Self.matches($0.path, segments) }.map(\.method.rawValue)
            guard !allowed.isEmpty else { throw error }
            var refusal = APIError(.methodNotAllowed, "\(request.method) is not allowed here; allowed: \(allowed.joined(separator: ", "))")
            refusal.headers[.allow] = Set(allowed).sorted().joined(separator: ", ")
            throw refusal
        }
    }

    /// Whether `path` (plain segments and `{captures}`) matches the request's segments.
    static func matches(_ path: RouterPath, _ segments: [Substring]) -> Bool {
        guard path.components.count == segments.count else { return false }
        return zip(path.components, segments).allSatisfy { element, segment in element ~= segment }
    }
}
