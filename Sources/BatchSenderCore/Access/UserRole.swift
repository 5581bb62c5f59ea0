/// The role of a dashboard user (CONTRACT §10).
public enum UserRole: String, CaseIterable, Hashable, Sendable {
    /// Everything, like an `admin` key.
    case admin
    /// Like a `send` key, plus managing send configs.
    case member
    /// Like a `read` key.
    case viewer

    /// What a signed-in user of this role may do: the same route table as API keys applies to
    /// dashboard sessions through this mapping.
    public var permissions: Set<Permission> {
        switch self {
        case .admin: APIScope.admin.permissions
        case .member: APIScope.send.permissions.union([.configure])
        case .viewer: APIScope.read.permissions
        }
    }
}
