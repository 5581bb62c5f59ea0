/// Who makes a change: the actor of an audit entry (CONTRACT §11:
/// `actor: {type: apiKey|user|cli|system, id, name}`).
public struct ChangeActor: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case apiKey, user, cli, system
    }

    public var kind: Kind
    /// The key's or user's id; for `cli` and `system` a fixed label.
    public var id: String
    public var name: String

    public init(kind: Kind, id: String, name: String) {
        self.kind = kind
        self.id = id
        self.name = name
    }

    /// A command of the `batchsender` binary, such as `users create`.
    public static func cli(_ command: String) -> ChangeActor { ChangeActor(kind: .cli, id: "cli", name: command) }

    /// The server itself (first-start bootstrap, maintenance).
    public static let system = ChangeActor(kind: .system, id: "system", name: "batchsender")
}

/// What a store needs to know about a change besides the change itself: who made it and from
/// where. Store methods that change state take one, so that the audit entry for the change can be
/// written in the same transaction (CONTRACT §11) without changing their callers again.
public struct ChangeContext: Hashable, Sendable {
    public var actor: ChangeActor
    /// The client's address, when the change came over HTTP.
    public var ip: String?
    /// The request's `X-Request-Id`, when the change came over HTTP.
    public var requestID: String?

    public init(actor: ChangeActor, ip: String? = nil, requestID: String? = nil) {
        self.actor = actor
        self.ip = ip
        self.requestID = requestID
    }
}
