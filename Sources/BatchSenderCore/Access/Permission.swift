/// One kind of thing a request may do. Routes require one permission each (the API's route
/// table); API key scopes and dashboard user roles grant sets of them. Permissions, not scopes,
/// are what routes name, because a dashboard role (`member`: send plus send configs) grants a set
/// that no single scope does (CONTRACT §10).
public enum Permission: String, CaseIterable, Hashable, Sendable {
    /// Read the workspace's resources: every `GET` except the ones below that need `administer`.
    case read
    /// Create and operate batches and their recipients, manage suppressions, and test-send
    /// through a send config.
    case send
    /// Create, change and delete send configs (and their OAuth connections).
    case configure
    /// Manage API keys and dashboard users, and read the audit log.
    case administer
}
