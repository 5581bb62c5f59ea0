import BatchSenderCore
import BatchSenderSecrets
import BatchSenderStore
import Foundation

extension BatchSender {
    /// `batchsender users create`: a dashboard user in the workspace `slug` (created if needed).
    /// Every refusal is a `ConfigError`: one line on stderr, never the password.
    public static func createUser(
        email rawEmail: String, workspaceSlug slug: String, role: UserRole, password: String?,
        in store: some WorkspaceStore & UserStore, hasher: PasswordHasher = PasswordHasher(), now: Date = Date()
    ) async throws -> User {
        let email: String
        switch AddressValidator.validateEmail(rawEmail.trimmingCharacters(in: .whitespaces)) {
        case .success(let valid): email = valid
        case .failure(let error): throw ConfigError("--email: \(error.message)")
        }
        let password = try checked(password)
        let workspace = try await ensureWorkspace(slug: slug, in: store, now: now)
        let user = User(
            id: .generate(at: now), workspaceID: workspace.id, email: email, role: role,
            passwordHash: await hasher.hash(password), createdAt: now, updatedAt: now)
        do {
            try await store.insertUser(user, by: ChangeContext(actor: .cli("users create")))
        } catch StoreError.conflict {
            throw ConfigError("a user with email \(email) already exists; change its password with users passwd")
        }
        return user
    }

    /// `batchsender users passwd`: a new password for the user with `email`, in any workspace.
    public static func changePassword(
        email: String, password: String?, in store: some UserStore, hasher: PasswordHasher = PasswordHasher(),
        now: Date = Date()
    ) async throws {
        let password = try checked(password)
        guard var user = try await store.user(email: email.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigError("no user with email \(email)")
        }
        user.passwordHash = await hasher.hash(password)
        user.updatedAt = now
        try await store.updateUser(user, by: ChangeContext(actor: .cli("users passwd")))
    }

    /// The password read from stdin, or why it cannot be used.
    static func checked(_ password: String?) throws -> String {
        guard let password else { throw ConfigError("no password: write it as the first line of stdin") }
        if let problem = PasswordPolicy.problem(with: password) { throw ConfigError("password \(problem)") }
        return password
    }
}
