import BatchSenderSecrets
import BatchSenderStore
import Hummingbird

/// Authenticates `Authorization: Bearer <api key>` against the stored key hashes (CONTRACT §2).
public struct AuthMiddleware<Store: WorkspaceStore>: RouterMiddleware {
    public typealias Context = APIContext
    let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing API key: send Authorization: Bearer <key>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be Bearer <key>")
        }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        guard !secret.isEmpty, let key = try await store.apiKey(secretHash: APIKeySecret.hash(secret)) else {
            throw APIError.unauthorized("invalid API key")
        }
        guard key.revokedAt == nil else { throw APIError.unauthorized("API key has been revoked") }
        var context = context
        context.caller = Caller(key: key)
        context.logger[metadataKey: "workspace.id"] = "\(key.workspaceID)"
        return try await next(request, context)
    }
}
