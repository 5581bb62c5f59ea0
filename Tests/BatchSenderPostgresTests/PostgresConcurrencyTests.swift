import BatchSenderCore
import BatchSenderPostgres
import BatchSenderStore
import BatchSenderTesting
import Foundation
import Testing

/// Races that a single-writer SQLite file cannot have: several connections writing at once under
/// READ COMMITTED.
@Suite("PostgreSQL concurrency", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct PostgresConcurrencyTests {
    static let racers = 8

    @Test("a new idempotency key claimed at once by many requests: exactly one claims it")
    func idempotencyRace() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let wsID = try await f.seed(store).workspace.id
            let claims = try await withThrowingTaskGroup(of: IdempotencyClaim.self) { group in
                for _ in 0..<Self.racers {
                    group.addTask {
                        try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h", at: f.time(0), expiry: 60)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.filter { $0 == .claimed }.count == 1)
            #expect(claims.filter { $0 == .inProgress }.count == Self.racers - 1)
        }
    }

    @Test("ensureWorkspace at once with one slug: one workspace, returned to everyone")
    func ensureWorkspaceRace() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let ids = try await withThrowingTaskGroup(of: Workspace.ID.self) { group in
                for _ in 0..<Self.racers {
                    group.addTask { try await store.ensureWorkspace(f.workspace(slug: "acme")).id }
                }
                return try await group.reduce(into: Set<Workspace.ID>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
        }
    }

    @Test("one address suppressed at once by many requests: created once")
    func suppressionRace() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let wsID = try await f.seed(store).workspace.id
            let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<Self.racers {
                    group.addTask { try await store.addSuppression(f.suppression("x@example.com", in: wsID)).created }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(created == 1)
        }
    }

    @Test("overlapping uploads to one batch at once: every address once, counts match the rows")
    func uploadRace() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let batch = try await f.draft(store, seed, ["a@example.com"])
            // Each upload overlaps the next by half.
            let uploads = (0..<4).map { upload in
                f.recipients((upload * 50..<(upload * 50 + 100)).map { "r\($0)@example.com" })
            }
            let results = try await withThrowingTaskGroup(of: RecipientAddResult.self) { group in
                for upload in uploads {
                    group.addTask {
                        try await store.addRecipients(
                            to: batch.id, in: wsID, chunks: Fixtures.stream([Array(upload[..<50]), Array(upload[50...])]),
                            maxRecipients: 10_000, at: f.time(20))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let distinct = Set(uploads.joined().map(\.normalizedTo)).count
            #expect(results.map(\.added).reduce(0, +) == distinct)
            #expect(results.map { $0.added + $0.duplicates } == Array(repeating: 100, count: uploads.count))
            let stored = try #require(try await store.batch(batch.id, in: wsID))
            #expect(stored.counts.pending == distinct + 1)
            let rows = try await store.recipients(of: batch.id, in: wsID, status: .pending, page: PageRequest(limit: 1_000))
            #expect(rows.items.count == distinct + 1)
        }
    }

    @Test("pause, resume and cancel racing on one batch: counts always match the rows")
    func commandRace() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let batch = try await f.draft(store, seed, (0..<40).map { "r\($0)@example.com" })
            _ = try await store.apply(.send, to: batch.id, in: wsID, at: f.time(10))
            let commands: [BatchCommand] = [.pause, .resume, .pause, .resume, .cancel, .pause, .resume, .retry([.cancelled])]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, command) in commands.enumerated() {
                    group.addTask {
                        // Refusals (resuming a cancelled batch, …) are expected; lost updates are not.
                        _ = try? await store.apply(command, to: batch.id, in: wsID, at: f.time(11 + Double(i)))
                    }
                }
                try await group.waitForAll()
            }
            let stored = try #require(try await store.batch(batch.id, in: wsID))
            var counted = RecipientCounts()
            for status in RecipientStatus.allCases {
                counted[status] = try await store.recipients(
                    of: batch.id, in: wsID, status: status, page: PageRequest(limit: 500)
                ).items.count
            }
            #expect(stored.counts == counted)
            #expect(stored.counts.total == 40)
        }
    }
}
