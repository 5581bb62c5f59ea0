import Foundation

/// A dashboard user (CONTRACT §10). Emails are unique across all workspaces, compared
/// case-insensitively: signing in names only an email. Only a bcrypt hash of the password is
/// stored, and it never leaves the store except to be verified.
public struct User: Hashable, Sendable, IdentifierPrefixed {
    public static let idPrefix = "usr"
    public typealias ID = Identifier<User>

    public var id: ID
    public var workspaceID: Workspace.ID
    /// As given at creation.
    public var email: String
    public var role: UserRole
    /// A bcrypt hash (`$2b$…`).
    public var passwordHash: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: ID, workspaceID: Workspace.ID, email: String, role: UserRole, passwordHash: String, createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The uniqueness key of an email: lowercased, so `Ann@Example.com` and `ann@example.com`
    /// are one user on every store.
    public static func normalize(email: String) -> String { email.lowercased() }

    public var normalizedEmail: String { Self.normalize(email: email) }
}

extension User: CustomStringConvertible {
    /// Never the password hash, should a user end up in a log line or an error message.
    public var description: String { "User(\(id), \(email), \(role.rawValue))" }
}
