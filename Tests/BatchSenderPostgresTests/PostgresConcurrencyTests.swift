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

    @Test("concurrent claimers never get the same recipient")
    func claimRace() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let seed = try await f.seed(store)
            var batches: [Batch] = []
            for b in 0..<3 {
                let draft = try await f.draft(store, seed, (0..<60).map { "b\(b)r\($0)@example.com" })
                batches.append(try await store.apply(.send, to: draft.id, in: seed.workspace.id, at: f.time(10)))
            }
            let claimed = try await withThrowingTaskGroup(of: [Recipient.ID].self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        var mine: [Recipient.ID] = []
                        // Bounded: a claimer that finds every batch locked by others gets nothing and tries again.
                        for _ in 0..<200 {
                            let taken = try await store.claim(
                                sendConfig: seed.sendConfig.id, limit: 7, now: f.time(11), leaseDuration: 30)
                            mine += taken.map(\.recipientID)
                            if taken.isEmpty, try await store.queueDepth() == 180,
                                try await store.sendConfigsWithDueWork(now: f.time(11)).isEmpty
                            {
                                break
                            }
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == 180)
            #expect(Set(claimed).count == claimed.count, "no recipient claimed twice")
            for batch in batches {
                #expect(try await store.batchForDelivery(batch.id)?.counts.sending == 60)
            }
        }
    }

    @Test("completions racing on one batch: exact counts, completed once")
    func completionRace() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let seed = try await f.seed(store)
            let draft = try await f.draft(store, seed, (0..<200).map { "r\($0)@example.com" })
            let batch = try await store.apply(.send, to: draft.id, in: seed.workspace.id, at: f.time(10))
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 200, now: f.time(11), leaseDuration: 30)
            #expect(claimed.count == 200)
            let resolutions: [DeliveryResolution] = [
                .sent(providerMessageID: "m"), .delivered(providerMessageID: "d"), .failed(error: "no"), .suppressed,
            ]
            let completions = claimed.enumerated().map { i, c in
                DeliveryCompletion(
                    recipientID: c.recipientID, batchID: c.batchID, leaseToken: c.leaseToken,
                    resolution: resolutions[i % resolutions.count])
            }
            let reports = try await withThrowingTaskGroup(of: CompletionReport.self) { group in
                for start in stride(from: 0, to: completions.count, by: 25) {
                    let part = Array(completions[start..<min(start + 25, completions.count)])
                    group.addTask { try await store.complete(part, now: f.time(12)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.map(\.applied).reduce(0, +) == 200)
            #expect(reports.flatMap(\.completedBatches) == [batch.id], "completed by exactly one of the racing calls")
            let stored = try #require(try await store.batchForDelivery(batch.id))
            #expect(stored.status == .completed)
            #expect(stored.counts.sent == 50 && stored.counts.delivered == 50)
            #expect(stored.counts.failed == 50 && stored.counts.suppressed == 50)
            for status in RecipientStatus.allCases {
                let rows = try await store.recipients(
                    of: batch.id, in: seed.workspace.id, status: status, page: PageRequest(limit: 500))
                #expect(rows.items.count == stored.counts[status], "\(status) counts match the rows")
            }
        }
    }

    @Test("an event racing the outcome that records its message id is never left waiting")
    func eventCompletionRace() async throws {
        try await TestDatabase.withStore { store in
            let f = Fixtures()
            let seed = try await f.seed(store)
            let draft = try await f.draft(store, seed, (0..<40).map { "r\($0)@example.com" })
            let batch = try await store.apply(.send, to: draft.id, in: seed.workspace.id, at: f.time(10))
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 40, now: f.time(11), leaseDuration: 30)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, c) in claimed.enumerated() {
                    group.addTask {
                        _ = try await store.complete(
                            [DeliveryCompletion(recipientID: c.recipientID, batchID: c.batchID, leaseToken: c.leaseToken,
                                                resolution: .sent(providerMessageID: "m\(i)"))], now: f.time(12))
                    }
                    group.addTask {
                        let event = ProviderEvent(eventID: "e\(i)", messageID: "m\(i)", kind: .delivered, occurredAt: f.time(12))
                        _ = try await store.recordEvents([event], for: seed.sendConfig, now: f.time(12))
                    }
                }
                try await group.waitForAll()
            }
            let stored = try #require(try await store.batchForDelivery(batch.id))
            #expect(stored.counts.delivered == 40, "every event applied, whichever came first")
            #expect(stored.status == .completed)
            #expect(try await store.prunePendingEvents(receivedBefore: f.time(100)) == 0, "no event left pending")
        }
    }
}
