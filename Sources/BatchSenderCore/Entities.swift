import Foundation

/// A tenant: every resource belongs to exactly one workspace.
public struct Workspace: Hashable, Sendable, IdentifierPrefixed {
    public static let idPrefix = "ws"
    public typealias ID = Identifier<Workspace>

    public var id: ID
    public var slug: String
    public var createdAt: Date

    public init(id: ID, slug: String, createdAt: Date) {
        self.id = id
        self.slug = slug
        self.createdAt = createdAt
    }
}

/// An API key. Only a hash of the secret is stored; the plaintext is shown once at creation.
public struct APIKey: Hashable, Sendable, IdentifierPrefixed {
    public static let idPrefix = "key"
    public typealias ID = Identifier<APIKey>

    public var id: ID
    public var workspaceID: Workspace.ID
    public var name: String
    /// The first characters of the plaintext key, to recognise it in lists.
    public var prefix: String
    /// Hex SHA-256 of the plaintext key.
    public var secretHash: String
    /// What the key may do; never empty, no duplicates (`APIScope.parse`).
    public var scopes: [APIScope]
    public var createdAt: Date
    public var revokedAt: Date?

    public init(
        id: ID, workspaceID: Workspace.ID, name: String, prefix: String, secretHash: String,
        scopes: [APIScope] = APIScope.defaultScopes, createdAt: Date, revokedAt: Date? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.prefix = prefix
        self.secretHash = secretHash
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// The rate limit of one send config: a token bucket shared by all workers.
public struct RateLimit: Hashable, Sendable, Codable {
    public var perSecond: Double
    public var burst: Int?

    public init(perSecond: Double, burst: Int? = nil) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// How to reach one provider account: module, provider, sealed credentials and settings.
public struct SendConfig: Hashable, Sendable, IdentifierPrefixed {
    public static let idPrefix = "sc"
    public typealias ID = Identifier<SendConfig>

    public var id: ID
    public var workspaceID: Workspace.ID
    public var name: String
    public var module: Module
    public var provider: Provider
    /// Credentials encrypted with the master key (AES-GCM combined box); never leaves the server.
    public var sealedCredentials: Data
    /// Masked hints of each credential (`re_…1a2b`), safe to show.
    public var credentialHints: [String: String]
    public var settings: [String: JSONValue]
    public var rateLimit: RateLimit?
    public var maxConcurrency: Int?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: ID, workspaceID: Workspace.ID, name: String, module: Module, provider: Provider,
        sealedCredentials: Data, credentialHints: [String: String], settings: [String: JSONValue],
        rateLimit: RateLimit?, maxConcurrency: Int?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.module = module
        self.provider = provider
        self.sealedCredentials = sealedCredentials
        self.credentialHints = credentialHints
        self.settings = settings
        self.rateLimit = rateLimit
        self.maxConcurrency = maxConcurrency
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One batch of personalized messages sent through one send config.
public struct Batch: Hashable, Sendable, IdentifierPrefixed {
    public static let idPrefix = "bat"
    public typealias ID = Identifier<Batch>

    public var id: ID
    public var workspaceID: Workspace.ID
    public var name: String
    public var sendConfigID: SendConfig.ID
    public var module: Module
    public var provider: Provider
    public var payload: JSONValue
    public var status: BatchStatus
    public var dryRun: Bool
    public var maxAttempts: Int
    public var createdAt: Date
    public var scheduledAt: Date?
    public var startedAt: Date?
    public var completedAt: Date?
    public var updatedAt: Date
    public var counts: RecipientCounts
    /// Recipients with at least one open / click reported by provider events.
    public var opened = 0
    public var clicked = 0

    public init(
        id: ID, workspaceID: Workspace.ID, name: String, sendConfigID: SendConfig.ID, module: Module,
        provider: Provider, payload: JSONValue, status: BatchStatus = .draft, dryRun: Bool, maxAttempts: Int,
        createdAt: Date, scheduledAt: Date? = nil, startedAt: Date? = nil, completedAt: Date? = nil,
        updatedAt: Date? = nil, counts: RecipientCounts = RecipientCounts()
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.sendConfigID = sendConfigID
        self.module = module
        self.provider = provider
        self.payload = payload
        self.status = status
        self.dryRun = dryRun
        self.maxAttempts = maxAttempts
        self.createdAt = createdAt
        self.scheduledAt = scheduledAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.updatedAt = updatedAt ?? createdAt
        self.counts = counts
    }
}

/// One addressee of a batch, with its delivery state in queryable fields.
public struct Recipient: Hashable, Sendable {
    /// Recipient ids are `rcp_` plus the store's row number: dense, ordered and cheap to mint in bulk.
    public typealias ID = Identifier<Recipient>

    public var id: ID
    public var batchID: Batch.ID
    public var to: String
    public var variables: [String: JSONValue]
    public var status: RecipientStatus
    public var attempts: Int
    public var lastError: String?
    public var providerMessageID: String?
    public var nextAttemptAt: Date?
    public var sentAt: Date?
    public var deliveredAt: Date?
    public var updatedAt: Date
    /// SMS only: the segments the rendered message takes (see `SMSSegments`).
    public var segments: Int?
    /// How many times `POST …/retry` has re-queued it: part of its provider idempotency key
    /// (`MessageKey`), so a deliberate re-send is not taken for a repeat.
    public var retryGeneration = 0

    public init(
        id: ID, batchID: Batch.ID, to: String, variables: [String: JSONValue], status: RecipientStatus,
        attempts: Int = 0, lastError: String? = nil, providerMessageID: String? = nil, nextAttemptAt: Date? = nil,
        sentAt: Date? = nil, deliveredAt: Date? = nil, updatedAt: Date, segments: Int? = nil
    ) {
        self.id = id
        self.batchID = batchID
        self.to = to
        self.variables = variables
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.providerMessageID = providerMessageID
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
        self.deliveredAt = deliveredAt
        self.updatedAt = updatedAt
        self.segments = segments
    }
}

extension Recipient.ID {
    /// The id of the recipient stored in row `row`.
    public init(row: Int64) { self.init(rawValue: "rcp_\(row)") }

    /// The row number inside the id, or `nil` for a malformed id.
    public var row: Int64? {
        guard rawValue.hasPrefix("rcp_") else { return nil }
        return Int64(rawValue.dropFirst(4)).flatMap { $0 > 0 ? $0 : nil }
    }
}

/// Why an address is on the suppression list.
public enum SuppressionReason: String, CaseIterable, Codable, Sendable {
    case bounce, complaint, unsubscribe, manual
}

/// An address the workspace must never send to.
public struct Suppression: Hashable, Sendable {
    /// The normalized address (see `AddressValidator.normalize`).
    public var address: String
    public var workspaceID: Workspace.ID
    public var reason: SuppressionReason
    public var createdAt: Date

    public init(address: String, workspaceID: Workspace.ID, reason: SuppressionReason, createdAt: Date) {
        self.address = address
        self.workspaceID = workspaceID
        self.reason = reason
        self.createdAt = createdAt
    }
}
