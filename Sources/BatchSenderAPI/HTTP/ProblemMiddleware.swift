import BatchSenderStore
import Hummingbird
import Logging

/// Turns every error into `application/problem+json`. Expected errors keep their status; anything
/// else is logged with its details and answered as a bare 500, so no internal message, SQL or
/// stack trace reaches a client (LESSONS: Security).
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as StoreError {
            return try APIError(error).response(from: request, context: context)
        } catch let error as StoreUnavailable {
            // An outage, not a bug: 503 at once (the store bounds its wait for a connection), so
            // clients and load balancers retry instead of waiting on a request that cannot finish.
            context.logger.warning(
                "request failed: the database is unavailable",
                metadata: ["error": "\(error.reason)", "http.path": "\(request.uri.path)"])
            return try APIError.unavailable.response(from: request, context: context)
        } catch let error as HTTPError {
            return try Self.translate(error, request: request).response(from: request, context: context)
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            return try APIError(error.status, error.status.reasonPhrase).response(from: request, context: context)
        } catch {
            context.logger.error(
                "request failed", metadata: ["error": "\(String(reflecting: error))", "http.path": "\(request.uri.path)"])
            return try APIError(.internalServerError, "an internal error occurred; it has been logged")
                .response(from: request, context: context)
        }
    }

    /// Hummingbird's own errors (unknown route, oversized body) in our shape.
    static func translate(_ error: HTTPError, request: Request) -> APIError {
        switch error.status {
        case .notFound: .notFound("no route for \(request.method) \(request.uri.path)")
        case .contentTooLarge: APIError(.contentTooLarge, "request body is too large")
        default: APIError(error.status, error.body ?? error.status.reasonPhrase)
        }
    }
}
