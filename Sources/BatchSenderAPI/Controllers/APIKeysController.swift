import BatchSenderCore
import BatchSenderDelivery
import BatchSenderSecrets
import BatchSenderStore
import Hummingbird

/// `/v1/api-keys` (CONTRACT §7): the plaintext key is shown once, at creation.
struct APIKeysController<Store: DataStore> {
    let services: APIServices<Store>
    var store: Store { services.store }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post(use: create)
        group.get(use: list)
        group.delete(":id", use: revoke)
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        return try await services.jsonPOST(request, context) { caller, bytes in
            var reader = ObjectReader(try JSONBody.object(from: bytes, allowEmpty: true))
            let name = reader.string("name", required: true)
            if let name, name.count > 200 { reader.fail("name", "must be at most 200 characters") }
            guard let name, reader.issues.isEmpty else { throw APIError.invalid(reader.issues) }
            let (key, plaintext) = APIKey.make(name: name, in: caller.workspaceID, at: services.now())
            try await store.insertAPIKey(key)
            return JSONResponse(.created, Present.apiKey(key, plaintext: plaintext))
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let page = try await store.apiKeys(in: caller.workspaceID, page: try ListQuery.page(of: request))
        return JSONResponse(.ok, ListQuery.response(page, { Present.apiKey($0) })).response
    }

    @Sendable func revoke(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let raw = context.parameters.get("id") ?? ""
        guard APIKey.ID.isWellFormed(raw),
            try await store.revokeAPIKey(APIKey.ID(rawValue: raw), in: caller.workspaceID, at: services.now())
        else { throw APIError.notFound("API key \(raw) not found") }
        return Response(status: .noContent)
    }
}

extension APIKey {
    /// A new key for `workspace` and its plaintext (to show once).
    public static func make(name: String, in workspace: Workspace.ID, at now: Date) -> (APIKey, String) {
        let plaintext = APIKeySecret.generate()
        let key = APIKey(
            id: .generate(at: now), workspaceID: workspace, name: name, prefix: APIKeySecret.displayPrefix(plaintext),
            secretHash: APIKeySecret.hash(plaintext), createdAt: now)
        return (key, plaintext)
    }
}

import Foundation
