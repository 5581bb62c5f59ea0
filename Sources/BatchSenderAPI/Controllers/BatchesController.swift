import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Hummingbird

/// `/v1/batches`: create, read, list and the state-change endpoints (CONTRACT §4).
struct BatchesController<Store: DataStore> {
    let services: APIServices<Store>
    var store: Store { services.store }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: show)
        group.post(":id/send") { try await command($0, $1, status: .accepted) { _ in .send } }
        group.post(":id/pause") { try await command($0, $1, status: .ok) { _ in .pause } }
        group.post(":id/resume") { try await command($0, $1, status: .ok) { _ in .resume } }
        group.post(":id/cancel") { try await command($0, $1, status: .ok) { _ in .cancel } }
        group.post(":id/retry") { try await command($0, $1, status: .accepted, Self.retryCommand) }
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        return try await services.jsonPOST(request, context) { caller, bytes in
            let body = try JSONBody.object(from: bytes)
            let now = services.now()
            var reader = ObjectReader(body)
            let name = reader.string("name")
            let configID = reader.string("sendConfigId", required: true)
            let scheduledAt = reader.timestamp("scheduledAt")
            if let scheduledAt, scheduledAt <= now { reader.fail("scheduledAt", "must be in the future") }
            let dryRun = reader.bool("dryRun") ?? false
            let maxAttempts = reader.int("maxAttempts", in: 1...20) ?? 5
            let recipientValues = reader.array("recipients") ?? []
            if recipientValues.count > services.limits.maxRecipientsPerRequest {
                reader.fail("recipients", "at most \(services.limits.maxRecipientsPerRequest) recipients per request; "
                    + "add more with POST /v1/batches/{id}/recipients")
            }
            guard let configID else { throw APIError.invalid(reader.issues) }
            guard SendConfig.ID.isWellFormed(configID),
                let config = try await store.sendConfig(SendConfig.ID(rawValue: configID), in: caller.workspaceID)
            else { throw APIError.notFound("send config \(configID) not found") }

            var issues = reader.issues
            issues += PayloadValidator(addresses: services.addresses, config: config).issues(in: body["payload"], for: config.module)
            let input = RecipientInput(module: config.module, addresses: services.addresses)
            let (recipients, recipientIssues) = recipientValues.count > services.limits.maxRecipientsPerRequest
                ? ([], []) : input.recipients(from: recipientValues)
            issues += recipientIssues
            guard issues.isEmpty else { throw APIError.invalid(issues) }

            let batch = Batch(
                id: .generate(at: now), workspaceID: caller.workspaceID, name: name ?? "Batch \(Timestamp.format(now))",
                sendConfigID: config.id, module: config.module, provider: config.provider,
                payload: body["payload"] ?? .null, dryRun: dryRun, maxAttempts: maxAttempts, createdAt: now,
                scheduledAt: scheduledAt)
            let (stored, result) = try await store.createBatch(batch, recipients: recipients)
            guard case .object(var object) = Present.batch(stored) else { return JSONResponse(.created, Present.batch(stored)) }
            object["duplicates"] = .int(result.duplicates)
            return JSONResponse(.created, .object(object))
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let filter = BatchFilter(status: try ListQuery.filter("status", of: request), module: try ListQuery.filter("module", of: request))
        let page = try await store.batches(in: caller.workspaceID, filter: filter, page: try ListQuery.page(of: request))
        return JSONResponse(.ok, ListQuery.response(page, Present.batch)).response
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try Self.id(request, context)
        guard let batch = try await store.batch(id, in: caller.workspaceID) else {
            throw APIError.notFound("batch \(id) not found")
        }
        return JSONResponse(.ok, Present.batch(batch)).response
    }

    /// Runs a state change; POSTs honour `Idempotency-Key` like creates do.
    private func command(
        _ request: Request, _ context: APIContext, status: HTTPResponse.Status,
        _ make: @Sendable ([String: JSONValue]) throws -> BatchCommand
    ) async throws -> Response {
        let id = try Self.id(request, context)
        return try await services.jsonPOST(request, context) { caller, bytes in
            let command = try make(try JSONBody.object(from: bytes, allowEmpty: true))
            let batch: Batch
            do {
                batch = try await store.apply(command, to: id, in: caller.workspaceID, at: services.now())
            } catch StoreError.notFound {
                throw APIError.notFound("batch \(id) not found")
            }
            services.notifier.batchChanged(id)
            if batch.status == .queued || batch.status == .processing { services.notifier.workAvailable() }
            return JSONResponse(status, Present.batch(batch))
        }
    }

    /// `{"statuses": ["failed", …]}`; without a body, failed recipients are retried.
    @Sendable static func retryCommand(_ body: [String: JSONValue]) throws -> BatchCommand {
        var reader = ObjectReader(body)
        guard let values = reader.array("statuses") else {
            guard reader.issues.isEmpty else { throw APIError.invalid(reader.issues) }
            return .retry([.failed])
        }
        var statuses: Set<RecipientStatus> = []
        var issues: [ValidationIssue] = []
        for (i, value) in values.enumerated() {
            guard let text = value.stringValue, let status = RecipientStatus(rawValue: text) else {
                issues.append(ValidationIssue(field: "statuses[\(i)]", message: "must be a recipient status"))
                continue
            }
            if !RecipientStatus.retryable.contains(status) {
                issues.append(ValidationIssue(
                    field: "statuses[\(i)]", message: "\(text) cannot be retried; retryable: failed, bounced, cancelled"))
            }
            statuses.insert(status)
        }
        if values.isEmpty { issues.append(ValidationIssue(field: "statuses", message: "must name at least one status")) }
        guard issues.isEmpty else { throw APIError.invalid(issues) }
        return .retry(statuses)
    }

    static func id(_ request: Request, _ context: APIContext) throws -> Batch.ID {
        let raw = context.parameters.get("id") ?? ""
        guard Batch.ID.isWellFormed(raw) else { throw APIError.notFound("batch \(raw) not found") }
        return Batch.ID(rawValue: raw)
    }
}
