import BatchSenderCore
import Hummingbird

/// The request context of every route: Hummingbird's core storage plus the caller's identity.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` for authenticated routes.
    public var caller: Caller?
    /// The request's id, as sent back in `X-Request-Id`: set by `RequestIDMiddleware`; until
    /// then Hummingbird's own id for the request.
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestID = source.logger[metadataKey: RequestIDPolicy.logMetadataKey]?.description ?? ""
    }

    /// Bodies are read and limited by our own readers (`JSONBody`, the CSV reader), which know the
    /// per-endpoint limits; this only bounds Hummingbird's own `collect` helpers.
    public var maxUploadSize: Int { 10 << 20 }

    /// The authenticated caller; throws 401 on a route that forgot its auth middleware.
    public func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized("missing API key") }
        return caller
    }
}

/// Who is calling: the API key and its workspace.
public struct Caller: Sendable, Hashable {
    public var workspaceID: Workspace.ID
    public var keyID: APIKey.ID
}
