import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Hummingbird

/// `/v1/suppressions` (CONTRACT §7). Addresses are stored normalized: email addresses lowercased.
struct SuppressionsController<Store: DataStore> {
    let services: APIServices<Store>
    var store: Store { services.store }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get(":address", use: show)
        group.delete(":address", use: remove)
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        return try await services.jsonPOST(request, context) { caller, bytes in
            var reader = ObjectReader(try JSONBody.object(from: bytes))
            let address = reader.string("address", required: true)?.trimmingCharacters(in: .whitespaces)
            if let address, address.utf8.count > 2_048 { reader.fail("address", "must be at most 2048 bytes") }
            let reason: SuppressionReason = reader.choice("reason") ?? .manual
            guard let address, reader.issues.isEmpty else { throw APIError.invalid(reader.issues) }
            let entry = Suppression(
                address: AddressValidator.normalize(address, for: nil), workspaceID: caller.workspaceID, reason: reason,
                createdAt: services.now())
            let (stored, created) = try await store.addSuppression(entry)
            return JSONResponse(created ? .created : .ok, Present.suppression(stored))
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let page = try await store.suppressions(in: caller.workspaceID, page: try ListQuery.page(of: request))
        return JSONResponse(.ok, ListQuery.response(page, Present.suppression)).response
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let address = Self.address(context)
        guard let entry = try await store.suppression(address, in: caller.workspaceID) else {
            throw APIError.notFound("\(address) is not suppressed")
        }
        return JSONResponse(.ok, Present.suppression(entry)).response
    }

    @Sendable func remove(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let address = Self.address(context)
        guard try await store.removeSuppression(address, in: caller.workspaceID) else {
            throw APIError.notFound("\(address) is not suppressed")
        }
        return Response(status: .noContent)
    }

    /// The path's address, percent-decoded and normalized.
    static func address(_ context: APIContext) -> String {
        let raw = context.parameters.get("address") ?? ""
        return AddressValidator.normalize(raw.removingPercentEncoding ?? raw, for: nil)
    }
}

import Foundation
