import BatchSenderCore
import BatchSenderStore
import Foundation

extension StoreConformance {
    static let workspaceCases: [Case] = [
        Case("bootstrap creates workspace and key once") { store, f in
            let workspace = f.workspace(slug: "default")
            let key = f.apiKey(in: workspace.id)
            try expectEqual(try await store.bootstrap(workspace: workspace, key: key), true, "first bootstrap")
            try expectEqual(try await store.workspace(id: workspace.id), workspace, "stored workspace")
            try expectEqual(try await store.apiKey(secretHash: key.secretHash), key, "stored key")
            let other = f.workspace(slug: "other")
            let otherKey = f.apiKey(in: other.id)
            try expectEqual(try await store.bootstrap(workspace: other, key: otherKey), false, "second bootstrap")
            try expectEqual(try await store.workspace(id: other.id), nil, "second workspace not created")
            try expectEqual(try await store.apiKey(secretHash: otherKey.secretHash), nil, "second key not created")
        },
        Case("bootstrap after ensureWorkspace creates nothing") { store, f in
            _ = try await store.ensureWorkspace(f.workspace(slug: "existing"))
            let workspace = f.workspace(slug: "default")
            let key = f.apiKey(in: workspace.id)
            try expectEqual(try await store.bootstrap(workspace: workspace, key: key), false)
            try expectEqual(try await store.apiKey(secretHash: key.secretHash), nil)
        },
        Case("concurrent bootstraps: exactly one wins") { store, f in
            let attempts = (0..<8).map { i in
                let workspace = f.workspace(slug: "ws\(i)")
                return (workspace, f.apiKey(in: workspace.id))
            }
            let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for (i, attempt) in attempts.enumerated() {
                    group.addTask { (i, try await store.bootstrap(workspace: attempt.0, key: attempt.1)) }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            let winners = results.filter(\.value).map(\.key)
            try expectEqual(winners.count, 1, "winners")
            for (i, attempt) in attempts.enumerated() {
                let won = winners.contains(i)
                try expectEqual(try await store.workspace(id: attempt.0.id) != nil, won, "workspace \(i) stored")
                try expectEqual(try await store.apiKey(secretHash: attempt.1.secretHash) != nil, won, "key \(i) stored")
            }
        },
        Case("ensureWorkspace returns the existing workspace with the slug") { store, f in
            let first = f.workspace(slug: "acme")
            try expectEqual(try await store.ensureWorkspace(first), first, "created")
            let again = f.workspace(slug: "acme")
            try expectEqual(try await store.ensureWorkspace(again), first, "existing returned")
            try expectEqual(try await store.workspace(id: again.id), nil, "second not inserted")
            let other = f.workspace(slug: "other")
            try expectEqual(try await store.ensureWorkspace(other), other)
            try expectEqual(try await store.workspace(id: other.id), other)
        },
        Case("api key lookup by hash, revoked keys included") { store, f in
            let seed = try await f.seed(store)
            let key = f.apiKey(in: seed.workspace.id)
            try await store.insertAPIKey(key, by: f.change)
            try expectEqual(try await store.apiKey(secretHash: key.secretHash), key)
            try expectEqual(try await store.apiKey(secretHash: "nope"), nil)
            try expectEqual(try await store.revokeAPIKey(key.id, in: seed.workspace.id, at: f.time(10), by: f.change), true)
            var revoked = key
            revoked.revokedAt = f.time(10)
            try expectEqual(try await store.apiKey(secretHash: key.secretHash), revoked, "revoked key still found")
            try expectEqual(
                try await store.revokeAPIKey(key.id, in: seed.workspace.id, at: f.time(20), by: f.change), true, "revoking twice")
            try expectEqual(
                try await store.apiKey(secretHash: key.secretHash)?.revokedAt, f.time(10), "first revocation kept")
            try expectEqual(try await store.revokeAPIKey(f.id(), in: seed.workspace.id, at: f.time(10), by: f.change), false, "unknown key")
        },
        Case("api keys are isolated by workspace") { store, f in
            let a = try await f.seed(store, slug: "a")
            let b = try await f.seed(store, slug: "b")
            let key = f.apiKey(in: a.workspace.id)
            try await store.insertAPIKey(key, by: f.change)
            try expectEqual(try await store.revokeAPIKey(key.id, in: b.workspace.id, at: f.time(5), by: f.change), false)
            try expectEqual(try await store.apiKey(secretHash: key.secretHash)?.revokedAt, nil, "not revoked")
            try expectEqual(try await store.apiKeys(in: b.workspace.id, page: PageRequest()).items, [])
            try await expectStoreError(.invalidCursor, "other workspace's key as cursor") {
                try await store.apiKeys(in: b.workspace.id, page: PageRequest(after: key.id.rawValue))
            }
        },
        Case("api key insert checks workspace and unique secret") { store, f in
            let seed = try await f.seed(store)
            try await expectStoreError(.notFound, "unknown workspace") {
                try await store.insertAPIKey(f.apiKey(in: f.id()), by: f.change)
            }
            let key = f.apiKey(in: seed.workspace.id)
            try await store.insertAPIKey(key, by: f.change)
            var twin = f.apiKey(in: seed.workspace.id)
            twin.secretHash = key.secretHash
            try await expectStoreError(.conflict, "duplicate secret hash") { try await store.insertAPIKey(twin, by: f.change) }
        },
        Case("api keys page newest first") { store, f in
            let seed = try await f.seed(store)
            var keys: [APIKey] = []
            for i in 0..<5 {
                let key = f.apiKey(in: seed.workspace.id, name: "k\(i)")
                try await store.insertAPIKey(key, by: f.change)
                keys.append(key)
            }
            try await expectRevokedIncluded(store, seed, keys[2], f)
            keys[2].revokedAt = f.time(9)
            let expected = Array(keys.reversed())
            try await expectPaging(expected, key: \.id.rawValue) { page in
                try await store.apiKeys(in: seed.workspace.id, page: page)
            }
        },
    ]

    private static func expectRevokedIncluded(_ store: any DataStore, _ seed: Seed, _ key: APIKey, _ f: Fixtures)
        async throws
    {
        try expectEqual(try await store.revokeAPIKey(key.id, in: seed.workspace.id, at: f.time(9), by: f.change), true)
    }
}
