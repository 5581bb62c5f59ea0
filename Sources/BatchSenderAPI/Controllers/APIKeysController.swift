import BatchSenderCore
import BatchSenderDelivery
import BatchSenderSecrets
import BatchSenderStore
import Hummingbird

/// `/v1/api-keys` (CONTRACT §7, §10): the plaintext key is shown once, at creation; `scopes`
/// say what it may do.
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
            let scopes = Self.scopes(&reader)
            guard let name, let scopes, reader.issues.isEmpty else { throw APIError.invalid(reader.issues) }
            let (key, plaintext) = APIKey.make(name: name, scopes: scopes, in: caller.workspaceID, at: services.now())
            try await store.insertAPIKey(key, by: try context.requireChange())
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
            try await store.revokeAPIKey(
                APIKey.ID(rawValue: raw), in: caller.workspaceID, at: services.now(), by: try context.requireChange())
        else { throw APIError.notFound("API key \(raw) not found") }
        return Response(status: .noContent)
    }

    /// `scopes`: absent or null means `APIScope.defaultScopes`; otherwise a non-empty array of
    /// known scope names without duplicates. `nil` (with an issue recorded) when invalid.
    static func scopes(_ reader: inout ObjectReader) -> [APIScope]? {
        guard reader.present("scopes") != nil else { return APIScope.defaultScopes }
        guard let values = reader.array("scopes") else { return nil }
        let names = values.compactMap(\.stringValue)
        guard names.count == values.count else {
            reader.fail("scopes", "must be an array of scope names")
            return nil
        }
        switch APIScope.parse(names) {
        case .success(let scopes): return scopes
        case .failure(let error):
            reader.fail("scopes", error.message)
            return nil
        }
    }
}

extension APIKey {
    /// A new key for `workspace` and its plaintext (to show once).
    public static func make(
        name: String, scopes: [APIScope] = APIScope.defaultScopes, in workspace: Workspace.ID, at now: Date
    ) -> (APIKey, String) {
        let plaintext = APIKeySecret.generate()
        let key = APIKey(
            id: .generate(at: now), workspaceID: workspace, name: name, prefix: APIKeySecret.displayPrefix(plaintext),
            secretHash: APIKeySecret.hash(plaintext), scopes: scopes, createdAt: now)
        return (key, plaintext)
    }
}

import Foundation
