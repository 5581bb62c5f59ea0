import BatchSenderCore
import BatchSenderDelivery
import BatchSenderSecrets
import BatchSenderStore
import Hummingbird
import Logging

/// `/v1/users` (CONTRACT §10): the workspace's dashboard users, for admin keys. A password goes
/// in (bcrypt-hashed at once) and never comes out: responses carry neither it nor its hash.
struct UsersController<Store: DataStore> {
    let services: APIServices<Store>
    var store: Store { services.store }

    /// The role of a user created without one: the least that can still send.
    static var defaultRole: UserRole { .member }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: show)
        group.patch(":id", use: update)
        group.delete(":id", use: remove)
    }

    /// `{email, password, role?}` → 201 with the user.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        return try await services.jsonPOST(request, context, secretBody: true) { caller, bytes in
            var reader = ObjectReader(try JSONBody.object(from: bytes))
            let email = Self.email(&reader)
            let password = Self.password(&reader, required: true)
            let role: UserRole = reader.choice("role") ?? Self.defaultRole
            guard let email, let password, reader.issues.isEmpty else { throw APIError.invalid(reader.issues) }
            let now = services.now()
            let user = User(
                id: .generate(at: now), workspaceID: caller.workspaceID, email: email, role: role,
                passwordHash: await services.passwords.hash(password), createdAt: now, updatedAt: now)
            try await store.insertUser(user, by: try context.requireChange())
            context.logger.info("dashboard user created", metadata: Self.metadata(user))
            return JSONResponse(.created, Present.user(user))
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let page = try await store.users(in: caller.workspaceID, page: try ListQuery.page(of: request))
        return JSONResponse(.ok, ListQuery.response(page, Present.user)).response
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        JSONResponse(.ok, Present.user(try await load(context))).response
    }

    /// `{role?, password?}` (at least one) → 200 with the user.
    @Sendable func update(_ request: Request, context: APIContext) async throws -> Response {
        var user = try await load(context)
        var reader = ObjectReader(try await JSONBody.object(of: request, limit: services.limits.maxJSONBodyBytes))
        let role: UserRole? = reader.choice("role")
        let password = Self.password(&reader, required: false)
        if reader.issues.isEmpty, role == nil, password == nil {
            reader.fail("role", "give a role or a password to change")
        }
        for key in reader.object.keys where !["role", "password"].contains(key) {
            reader.fail(key, "cannot be changed (only role and password)")
        }
        guard reader.issues.isEmpty else { throw APIError.invalid(reader.issues) }
        if let role { user.role = role }
        if let password { user.passwordHash = await services.passwords.hash(password) }
        user.updatedAt = services.now()
        try await store.updateUser(user, by: try context.requireChange())
        context.logger.info(
            "dashboard user changed", metadata: Self.metadata(user).merging(["user.password_changed": "\(password != nil)"]) { $1 })
        return JSONResponse(.ok, Present.user(user)).response
    }

    @Sendable func remove(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let raw = context.parameters.get("id") ?? ""
        guard User.ID.isWellFormed(raw),
            try await store.deleteUser(User.ID(rawValue: raw), in: caller.workspaceID, by: try context.requireChange())
        else { throw APIError.notFound("user \(raw) not found") }
        return Response(status: .noContent)
    }

    /// What a log line may say about a user: never the password or its hash.
    static func metadata(_ user: User) -> Logger.Metadata {
        ["user.id": "\(user.id)", "user.role": "\(user.role.rawValue)", "workspace.id": "\(user.workspaceID)"]
    }

    private func load(_ context: APIContext) async throws -> User {
        let caller = try context.requireCaller()
        let raw = context.parameters.get("id") ?? ""
        guard User.ID.isWellFormed(raw), let user = try await store.user(User.ID(rawValue: raw), in: caller.workspaceID)
        else { throw APIError.notFound("user \(raw) not found") }
        return user
    }

    /// A valid email address, trimmed.
    static func email(_ reader: inout ObjectReader) -> String? {
        guard let raw = reader.string("email", required: true)?.trimmingCharacters(in: .whitespaces) else { return nil }
        switch AddressValidator.validateEmail(raw) {
        case .success(let email): return email
        case .failure(let error):
            reader.fail("email", error.message)
            return nil
        }
    }

    /// A password that `PasswordPolicy` accepts. Never trimmed: spaces are part of a password.
    static func password(_ reader: inout ObjectReader, required: Bool) -> String? {
        guard let password = reader.string("password", required: required, nonEmpty: false) else { return nil }
        if let problem = PasswordPolicy.problem(with: password) {
            reader.fail("password", problem)
            return nil
        }
        return password
    }
}

import Foundation
