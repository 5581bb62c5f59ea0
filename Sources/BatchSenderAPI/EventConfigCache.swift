import BatchSenderCore
import Foundation
import Synchronization

/// Send configs and their opened credentials for the events endpoint, kept for a couple of
/// seconds: a burst of events for one config costs one read and one decryption. A changed
/// config is seen within `ttl`.
final class EventConfigCache: Sendable {
    struct Entry {
        var config: SendConfig
        var credentials: [String: String]
        var until: ContinuousClock.Instant
    }

    private let ttl: Duration
    private let entries = Mutex<[SendConfig.ID: Entry]>([:])

    init(ttl: Duration = .seconds(2)) {
        self.ttl = ttl
    }

    /// The cached entry, or `load()`'s (cached when it finds one). `nil` is never cached, so a
    /// config created a moment ago is found at once.
    func entry(
        _ id: SendConfig.ID, load: () async throws -> (SendConfig, [String: String])?
    ) async throws -> (SendConfig, [String: String])? {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[id] }), hit.until > now { return (hit.config, hit.credentials) }
        guard let (config, credentials) = try await load() else { return nil }
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[id] = Entry(config: config, credentials: credentials, until: now + ttl)
        }
        return (config, credentials)
    }
}
