import Hummingbird
import Logging

/// Gives every request an id (CONTRACT §11): the client's valid `X-Request-Id`, or a new one
/// (`RequestIDPolicy`). The id goes on the response, into every log line of the request (the
/// context's logger and the task-local `Logger.current`) and onto `APIContext.requestID` for
/// records such as the audit log.
///
/// Add it to a router before anything else: Hummingbird applies a router's middleware only to
/// routes added after it, and the outermost position means errors thrown by inner middleware
/// (authentication, limits) and unknown routes get the header too.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = APIContext

    public init() {}

    public func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        let id = RequestIDPolicy.id(for: request.headers[RequestIDPolicy.headerName])
        var context = context
        context.requestID = id
        context.logger[metadataKey: RequestIDPolicy.logMetadataKey] = .string(id)
        var response: Response
        do {
            response = try await withLogger(context.logger) { _ in try await next(request, context) }
        } catch let error as any HTTPResponseError {
            // ProblemMiddleware answers errors itself; this covers anything thrown around it.
            response = try error.response(from: request, context: context)
        }
        response.headers[RequestIDPolicy.headerName] = id
        return response
    }
}
