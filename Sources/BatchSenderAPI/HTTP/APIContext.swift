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

    /// Who makes the change this request asks for, for the store (and its audit entry).
    public func requireChange() throws -> ChangeContext {
        ChangeContext(actor: try requireCaller().actor)
    }
}

/// Who is calling: the API key, its workspace and what it may do.
public struct Caller: Sendable, Hashable {
    public var workspaceID: Workspace.ID
    public var keyID: APIKey.ID
    public var keyName: String
    public var scopes: [APIScope]
    /// Checked against the route table by `PermissionMiddleware`.
    public var permissions: Set<Permission>

    public init(key: APIKey) {
        workspaceID = key.workspaceID
        keyID = key.id
        keyName = key.name
        scopes = key.scopes
        permissions = APIScope.permissions(of: key.scopes)
    }

    /// The caller as the actor of a change.
    public var actor: ChangeActor { ChangeActor(kind: .apiKey, id: keyID.rawValue, name: keyName) }
}
