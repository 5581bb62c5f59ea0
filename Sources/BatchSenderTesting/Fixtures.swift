import BatchSenderCore
import BatchSenderStore
import Foundation
import Synchronization

/// Factories for store entities, with a deterministic clock.
///
/// Times are whole seconds plus binary fractions from a fixed origin, so they survive a round trip
/// through REAL unix seconds exactly and stored entities compare equal to the originals. Ids are
/// minted one millisecond apart, so they sort in creation order (lists are ordered by id).
public final class Fixtures: Sendable {
    /// 2026-01-01T00:00:00Z.
    public static let origin = Date(timeIntervalSince1970: 1_767_225_600)

    private let sequence = Mutex(0)

    public init() {}

    /// `origin` plus `seconds` (use whole or binary fractions: 0.5, 0.25).
    public func time(_ seconds: Double) -> Date { Self.origin.addingTimeInterval(seconds) }

    /// A fresh id of `Entity`, later than every id minted before by this instance.
    public func id<Entity: IdentifierPrefixed>(_ type: Entity.Type = Entity.self) -> Identifier<Entity> {
        let n = sequence.withLock { value in
            value += 1
            return value
        }
        // Mid-millisecond, so float rounding cannot put two ids in the same (randomly ordered) millisecond.
        return Identifier<Entity>.generate(at: Self.origin.addingTimeInterval((Double(n) + 0.5) / 1000))
    }

    public func workspace(slug: String = "default") -> Workspace {
        Workspace(id: id(), slug: slug, createdAt: time(0.5))
    }

    public func apiKey(in workspace: Workspace.ID, name: String = "key", scopes: [APIScope] = [.admin]) -> APIKey {
        let id: APIKey.ID = id()
        return APIKey(
            id: id, workspaceID: workspace, name: name, prefix: "bs_" + String(id.rawValue.suffix(4)),
            secretHash: "hash-" + id.rawValue, scopes: scopes, createdAt: time(1))
    }

    /// The change context of the suite's writes: a command-line actor.
    public let change = ChangeContext(actor: .cli("conformance"))

    /// A dashboard user; the hash is a fixed bcrypt-shaped string (stores do not hash).
    public func user(in workspace: Workspace.ID, email: String, role: UserRole = .member) -> User {
        User(
            id: id(), workspaceID: workspace, email: email, role: role,
            passwordHash: "$2b$04$" + String(repeating: "x", count: 53), createdAt: time(6), updatedAt: time(6))
    }

    public func sendConfig(in workspace: Workspace.ID, module: Module = .email, name: String = "Newsletter") -> SendConfig {
        SendConfig(
            id: id(), workspaceID: workspace, name: name, module: module, provider: module.providers[0],
            sealedCredentials: Data([0x01, 0x02, 0xFF, 0x00]), credentialHints: ["apiKey": "re_…1a2b"],
            settings: ["baseUrl": "https://api.example.com", "latencyMs": 5, "nested": ["a": [1, "b", true, nil]]],
            rateLimit: RateLimit(perSecond: 10.5, burst: 20), maxConcurrency: 16, createdAt: time(2), updatedAt: time(2))
    }

    public func batch(
        for config: SendConfig, name: String = "November", scheduledAt: Date? = nil, createdAt: Date? = nil
    ) -> Batch {
        Batch(
            id: id(), workspaceID: config.workspaceID, name: name, sendConfigID: config.id, module: config.module,
            provider: config.provider,
            payload: ["from": "news@example.com", "subject": "Hi {{name}}", "html": "<p>Hello {{name}}</p>", "n": .double(2.5)],
            dryRun: false, maxAttempts: 5, createdAt: createdAt ?? time(3), scheduledAt: scheduledAt)
    }

    /// Recipients for `addresses`, normalized as the API does; each gets a `row` variable.
    public func recipients(_ addresses: [String], module: Module = .email) -> [NewRecipient] {
        addresses.enumerated().map { index, address in
            NewRecipient(
                to: address, normalizedTo: AddressValidator.normalize(address, for: module),
                variables: [
                    "row": .int(index), "name": .string("N\"\\ \(index) ü\n\t\u{01}😀/"),
                    "tags": ["a", 1, nil, true, ["k": .double(0.5)]], "empty": [:],
                ])
        }
    }

    public func suppression(_ address: String, in workspace: Workspace.ID, reason: SuppressionReason = .manual)
        -> Suppression
    {
        Suppression(address: address, workspaceID: workspace, reason: reason, createdAt: time(4))
    }

    /// A workspace with one send config, stored.
    public func seed(_ store: any DataStore, slug: String = "default") async throws -> Seed {
        let workspace = try await store.ensureWorkspace(workspace(slug: slug))
        let config = sendConfig(in: workspace.id)
        try await store.insertSendConfig(config)
        return Seed(workspace: workspace, sendConfig: config)
    }

    /// A stored draft batch of `seed` with `addresses`.
    public func draft(
        _ store: any DataStore, _ seed: Seed, _ addresses: [String], scheduledAt: Date? = nil
    ) async throws -> Batch {
        try await store.createBatch(batch(for: seed.sendConfig, scheduledAt: scheduledAt), recipients: recipients(addresses)).0
    }

    /// A stream of `chunks`, then the end, or `error` when given.
    public static func stream(
        _ chunks: [[NewRecipient]], thenThrow error: (any Error)? = nil
    ) -> AsyncThrowingStream<[NewRecipient], any Error> {
        AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish(throwing: error)
        }
    }
}

/// A workspace and a send config in it.
public struct Seed: Sendable {
    public var workspace: Workspace
    public var sendConfig: SendConfig
}

/// The error a failing upload stream throws in tests.
public struct UploadAborted: Error, Equatable {
    public init() {}
}
