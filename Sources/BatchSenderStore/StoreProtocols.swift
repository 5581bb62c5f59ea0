import BatchSenderCore
import Foundation

/// Workspaces and their API keys.
public protocol WorkspaceStore: Sendable {
    /// On an empty database, creates `workspace` and `key` in one transaction and returns true;
    /// returns false (creating nothing) when any workspace exists. Safe against concurrent starts.
    func bootstrap(workspace: Workspace, key: APIKey) async throws -> Bool
    /// The workspace with `slug`, created as `workspace` when absent.
    func ensureWorkspace(_ workspace: Workspace) async throws -> Workspace
    func workspace(id: Workspace.ID) async throws -> Workspace?
    /// Inserts the key; `notFound` without its workspace, `conflict` on a duplicate id or secret.
    func insertAPIKey(_ key: APIKey, by change: ChangeContext) async throws
    /// The key whose secret hashes to `secretHash`, revoked or not.
    func apiKey(secretHash: String) async throws -> APIKey?
    /// The workspace's keys, revoked ones included, newest first.
    func apiKeys(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<APIKey>
    /// Revokes the key; `false` when the workspace has no such key (revoking twice is fine).
    func revokeAPIKey(_ id: APIKey.ID, in workspace: Workspace.ID, at now: Date, by change: ChangeContext) async throws
        -> Bool
}

/// Dashboard users. Emails are unique across every workspace, compared case-insensitively
/// (`User.normalizedEmail`). Methods that change a user take the `ChangeContext` of the change.
public protocol UserStore: Sendable {
    /// Inserts the user; `notFound` without its workspace, `conflict` when the email is taken.
    func insertUser(_ user: User, by change: ChangeContext) async throws
    func user(_ id: User.ID, in workspace: Workspace.ID) async throws -> User?
    /// The user with this email in any workspace, compared case-insensitively.
    func user(email: String) async throws -> User?
    /// The workspace's users, newest first.
    func users(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<User>
    /// Stores `user.role`, `user.passwordHash` and `user.updatedAt` (the email and workspace do not
    /// change); `notFound` when the workspace has no such user.
    func updateUser(_ user: User, by change: ChangeContext) async throws
    /// Deletes the user; `false` when the workspace has no such user.
    func deleteUser(_ id: User.ID, in workspace: Workspace.ID, by change: ChangeContext) async throws -> Bool
}

/// Send configs.
public protocol SendConfigStore: Sendable {
    func insertSendConfig(_ config: SendConfig) async throws
    func sendConfig(_ id: SendConfig.ID, in workspace: Workspace.ID) async throws -> SendConfig?
    /// Newest first.
    func sendConfigs(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<SendConfig>
    /// Replaces the stored config (same id and workspace); throws `notFound` if absent.
    func updateSendConfig(_ config: SendConfig) async throws
    /// Deletes the config; `notFound` if absent, `conflict` while a batch in `BatchStatus.active` uses it.
    func deleteSendConfig(_ id: SendConfig.ID, in workspace: Workspace.ID) async throws
}

/// A recipient on its way into a batch, already validated.
public struct NewRecipient: Hashable, Sendable {
    public var to: String
    /// The deduplication and suppression key (`AddressValidator.normalize`).
    public var normalizedTo: String
    public var variables: [String: JSONValue]

    public init(to: String, normalizedTo: String, variables: [String: JSONValue]) {
        self.to = to
        self.normalizedTo = normalizedTo
        self.variables = variables
    }
}

/// What adding recipients did.
public struct RecipientAddResult: Hashable, Sendable {
    /// Recipients stored (suppressed ones included).
    public var added: Int
    /// Recipients not stored because their `normalizedTo` was already in the batch or earlier in the input.
    public var duplicates: Int
    /// Of `added`, those stored as `suppressed`.
    public var suppressed: Int
    /// The batch's recipients after the operation.
    public var total: Int

    public init(added: Int = 0, duplicates: Int = 0, suppressed: Int = 0, total: Int = 0) {
        self.added = added
        self.duplicates = duplicates
        self.suppressed = suppressed
        self.total = total
    }
}

/// Filters of `GET /v1/batches`.
public struct BatchFilter: Hashable, Sendable {
    public var status: BatchStatus?
    public var module: Module?

    public init(status: BatchStatus? = nil, module: Module? = nil) {
        self.status = status
        self.module = module
    }
}

/// Batches and their recipients.
public protocol BatchStore: Sendable {
    /// Inserts the batch and its first recipients in one transaction. Recipients whose
    /// `normalizedTo` repeats are stored once; those on the workspace suppression list are stored
    /// `suppressed`, the rest `pending`. `batch.counts` is ignored: counts are derived.
    /// Throws `notFound` when the batch's send config does not exist in the workspace.
    func createBatch(_ batch: Batch, recipients: [NewRecipient]) async throws -> (Batch, RecipientAddResult)
    func batch(_ id: Batch.ID, in workspace: Workspace.ID) async throws -> Batch?
    /// Newest first.
    func batches(in workspace: Workspace.ID, filter: BatchFilter, page: PageRequest) async throws -> Page<Batch>
    /// Adds recipients read from `chunks`, all or nothing: if `chunks` throws, nothing is stored and
    /// its error is rethrown. Memory stays bounded by one chunk (large uploads are staged, not held).
    /// Throws `notFound` (no such batch), `conflict` (batch not `draft`, checked at the start and at
    /// the commit) or `unprocessable` (the batch would exceed `maxRecipients`).
    func addRecipients(
        to batch: Batch.ID, in workspace: Workspace.ID,
        chunks: AsyncThrowingStream<[NewRecipient], any Error>,
        maxRecipients: Int, at now: Date
    ) async throws -> RecipientAddResult
    /// Recipients of the batch in insertion order, optionally of one status. `PageRequest.after`
    /// is a recipient id.
    func recipients(
        of batch: Batch.ID, in workspace: Workspace.ID, status: RecipientStatus?, page: PageRequest
    ) async throws -> Page<Recipient>
    /// Applies `command` with `BatchLifecycle.apply`: the recipient moves and the batch row in one
    /// transaction. Throws `notFound`, or the lifecycle error as `StoreError`.
    func apply(_ command: BatchCommand, to batch: Batch.ID, in workspace: Workspace.ID, at now: Date) async throws
        -> Batch
}

/// The workspace suppression list.
public protocol SuppressionStore: Sendable {
    /// Adds the address, or returns the existing entry unchanged when it is already listed.
    func addSuppression(_ suppression: Suppression) async throws -> (Suppression, created: Bool)
    func suppression(_ address: String, in workspace: Workspace.ID) async throws -> Suppression?
    /// Ordered by address; `PageRequest.after` is an address.
    func suppressions(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<Suppression>
    /// `false` when the address was not listed.
    func removeSuppression(_ address: String, in workspace: Workspace.ID) async throws -> Bool
}

/// A stored response to a request made with an `Idempotency-Key`.
public struct IdempotentResponse: Hashable, Sendable {
    public var status: Int
    public var contentType: String
    public var body: Data

    public init(status: Int, contentType: String, body: Data) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// The outcome of claiming an idempotency key.
public enum IdempotencyClaim: Hashable, Sendable {
    /// The key is new: the caller executes the request and then completes or releases the key.
    case claimed
    /// The key was used before with the same request: replay this response.
    case replay(IdempotentResponse)
    /// The key was used before with a different request (HTTP 422).
    case mismatch
    /// The first request with this key is still running (HTTP 409).
    case inProgress
}

/// How long an `Idempotency-Key` record counts (CONTRACT §2). Older records are replaced by a new
/// claim and purged by maintenance.
public enum IdempotencyWindow {
    public static let duration: TimeInterval = 24 * 3600
    /// An unfinished claim older than this is abandoned — its process crashed or lost the
    /// database before completing or releasing it — and the next claim takes it over, instead of
    /// the key answering 409 for a whole day. Far longer than any request holds a claim: the key
    /// is claimed only after the body has been read (a CSV is spooled first), so the work under
    /// a claim is the store's alone; the largest, a million-recipient upload, takes about a minute.
    public static let inProgressDeadline: TimeInterval = 15 * 60

    /// Whether a record made at `createdAt` still counts at `now`: within `expiry` once it has a
    /// response, and within `inProgressDeadline` as well while it has none (one rule, every store).
    public static func isLive(createdAt: Date, finished: Bool, at now: Date, expiry: TimeInterval) -> Bool {
        let lifetime = finished ? expiry : min(expiry, inProgressDeadline)
        return createdAt >= now.addingTimeInterval(-lifetime)
    }
}

/// `Idempotency-Key` records, kept for 24 hours (CONTRACT §2).
public protocol IdempotencyStore: Sendable {
    /// Claims `key` for a request whose fingerprint is `requestHash`. Records older than `expiry`,
    /// and unfinished ones older than `IdempotencyWindow.inProgressDeadline`, count as absent (and
    /// are replaced: see `IdempotencyWindow.isLive`).
    func claimIdempotencyKey(
        _ key: String, in workspace: Workspace.ID, requestHash: String, at now: Date, expiry: TimeInterval
    ) async throws -> IdempotencyClaim
    /// Stores the response of a claimed key.
    func completeIdempotencyKey(_ key: String, in workspace: Workspace.ID, response: IdempotentResponse) async throws
    /// Forgets a claimed key whose request failed without a response worth replaying.
    func releaseIdempotencyKey(_ key: String, in workspace: Workspace.ID) async throws
    /// Deletes the records created before `date`, finished or not, and returns how many.
    func purgeIdempotencyKeys(createdBefore date: Date) async throws -> Int
}

/// Health of the store itself.
public protocol StoreHealth: Sendable {
    /// Throws unless the database is reachable and fully migrated.
    func checkReady() async throws
}

/// Everything the API needs from a store.
public typealias DataStore = WorkspaceStore & UserStore & SendConfigStore & BatchStore & SuppressionStore & IdempotencyStore
    & DeliveryQueue & EventStore
    & StoreHealth
