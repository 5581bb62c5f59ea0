import BatchSenderCore
import BatchSenderDelivery
import BatchSenderSecrets
import BatchSenderStore
import Hummingbird

/// `/v1/send-configs` (CONTRACT §3).
struct SendConfigsController<Store: DataStore> {
    let services: APIServices<Store>
    var store: Store { services.store }
    var validator: SendConfigValidator { SendConfigValidator(addresses: services.addresses) }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: show)
        group.patch(":id", use: update)
        group.delete(":id", use: delete)
        group.post(":id/test", use: test)
    }

    /// One real send: `{to, variables?, payload?}` → `{ok, providerMessageId, error, latencyMs}`.
    @Sendable func test(_ request: Request, context: APIContext) async throws -> Response {
        let config = try await load(request, context)
        return try await services.jsonPOST(request, context) { _, bytes in
            var reader = ObjectReader(try JSONBody.object(from: bytes))
            let to = reader.string("to", required: true)
            let variables = reader.object("variables") ?? [:]
            let payload = reader.present("payload") ?? TestPayload.default(for: config.module)
            var issues = reader.issues
            if let to, case .failure(let error) = services.addresses.validate(to, for: config.module) {
                issues.append(ValidationIssue(field: "to", message: error.message))
            }
            if reader.present("payload") != nil {
                issues += PayloadValidator(addresses: services.addresses, config: config).issues(in: payload, for: config.module)
            }
            guard let to, issues.isEmpty else { throw APIError.invalid(issues) }
            guard let sender = services.testSender else {
                throw APIError(.serviceUnavailable, "this process does not deliver messages (role api)")
            }
            let result = await sender(config, to, variables, payload)
            return JSONResponse(.ok, [
                "ok": .bool(result.ok), "providerMessageId": result.providerMessageID.map(JSONValue.string) ?? .null,
                "error": result.error.map(JSONValue.string) ?? .null, "latencyMs": .int(result.latencyMs),
            ])
        }
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        return try await services.jsonPOST(request, context) { caller, bytes in
            let input = SendConfigInput(try JSONBody.object(from: bytes), creating: true)
            guard let module = input.module, let provider = input.provider, input.issues.isEmpty else {
                throw APIError.invalid(input.issues)
            }
            let credentials = (input.credentials ?? [:]).compactMapValues { $0 }
            let settings = input.settings ?? [:]
            try check(credentials: credentials, settings: settings, provider: provider)
            let now = services.now()
            let id = SendConfig.ID.generate(at: now)
            let config = SendConfig(
                id: id, workspaceID: caller.workspaceID, name: input.name ?? "\(provider.rawValue) \(module.rawValue)",
                module: module, provider: provider, sealedCredentials: try services.sealer.seal(credentials, for: id),
                credentialHints: credentials.mapValues(CredentialSealer.hint), settings: settings,
                rateLimit: input.rateLimit ?? nil, maxConcurrency: input.maxConcurrency ?? nil, createdAt: now, updatedAt: now)
            try await store.insertSendConfig(config)
            return JSONResponse(.created, Present.sendConfig(config))
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let page = try await store.sendConfigs(in: caller.workspaceID, page: try ListQuery.page(of: request))
        return JSONResponse(.ok, ListQuery.response(page, Present.sendConfig)).response
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        let config = try await load(request, context)
        return JSONResponse(.ok, Present.sendConfig(config)).response
    }

    @Sendable func update(_ request: Request, context: APIContext) async throws -> Response {
        var config = try await load(request, context)
        let input = SendConfigInput(
            try await JSONBody.object(of: request, limit: services.limits.maxJSONBodyBytes), creating: false)
        var issues = input.issues
        if let module = input.module, module != config.module {
            issues.append(ValidationIssue(field: "module", message: "cannot be changed; create a new send config"))
        }
        if let provider = input.provider, provider != config.provider {
            issues.append(ValidationIssue(field: "provider", message: "cannot be changed; create a new send config"))
        }
        guard issues.isEmpty else { throw APIError.invalid(issues) }

        var credentials = try services.sealer.open(config.sealedCredentials, for: config.id)
        for (key, value) in input.credentials ?? [:] { credentials[key] = value }
        let settings = input.settings ?? config.settings
        try check(credentials: credentials, settings: settings, provider: config.provider)

        if let name = input.name { config.name = name }
        config.sealedCredentials = try services.sealer.seal(credentials, for: config.id)
        config.credentialHints = credentials.mapValues(CredentialSealer.hint)
        config.settings = settings
        if let rateLimit = input.rateLimit { config.rateLimit = rateLimit }
        if let maxConcurrency = input.maxConcurrency { config.maxConcurrency = maxConcurrency }
        config.updatedAt = services.now()
        try await store.updateSendConfig(config)
        services.notifier.sendConfigChanged(config.id)
        return JSONResponse(.ok, Present.sendConfig(config)).response
    }

    @Sendable func delete(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        try await store.deleteSendConfig(try Self.id(request, context), in: caller.workspaceID)
        return Response(status: .noContent)
    }

    private func check(credentials: [String: String], settings: [String: JSONValue], provider: Provider) throws {
        let issues = validator.credentialIssues(credentials.mapValues(JSONValue.string), provider: provider)
            + validator.settingsIssues(settings, provider: provider)
        guard issues.isEmpty else { throw APIError.invalid(issues) }
    }

    private func load(_ request: Request, _ context: APIContext) async throws -> SendConfig {
        let caller = try context.requireCaller()
        let id = try Self.id(request, context)
        guard let config = try await store.sendConfig(id, in: caller.workspaceID) else {
            throw APIError.notFound("send config \(id) not found")
        }
        return config
    }

    static func id(_ request: Request, _ context: APIContext) throws -> SendConfig.ID {
        let raw = context.parameters.get("id") ?? ""
        guard SendConfig.ID.isWellFormed(raw) else { throw APIError.notFound("send config \(raw) not found") }
        return SendConfig.ID(rawValue: raw)
    }
}
