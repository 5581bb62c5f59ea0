import BatchSenderCore
import BatchSenderSQLite
import BatchSenderStore
import BatchSenderTesting
import Foundation
import GRDB
import Synchronization
import Testing

/// Behaviour specific to the SQLite driver: schema, file, WAL, large and failed uploads.
@Suite struct SQLiteStoreTests {
    let database: TemporaryDatabase
    let f = Fixtures()

    init() throws { database = try TemporaryDatabase() }

    @Test func migrationsAreVersionedAndIdempotent() async throws {
        let store = try SQLiteStore(path: database.path)
        await #expect(throws: SQLiteStoreError.notMigrated) { try await store.checkReady() }
        #expect(try await store.appliedMigrations() == [])
        try await store.migrate()
        try await store.migrate()
        #expect(try await store.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6"])
        try await store.checkReady()
    }

    @Test func walModeAndBusyTimeout() async throws {
        let store = try await database.store()
        #expect(try await store.journalMode() == "wal")
        let timeout = try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA busy_timeout") }
        #expect(timeout == 10_000)
    }

    @Test func reopeningKeepsData() async throws {
        let seed: Seed
        let batch: Batch
        do {
            let store = try await database.store()
            seed = try await f.seed(store)
            batch = try await f.draft(store, seed, ["a@example.com", "b@example.com"])
        }
        let reopened = try await database.store()
        #expect(try await reopened.batch(batch.id, in: seed.workspace.id) == batch)
        #expect(try await reopened.sendConfig(seed.sendConfig.id, in: seed.workspace.id) == seed.sendConfig)
        let recipients = try await reopened.recipients(of: batch.id, in: seed.workspace.id, status: nil, page: PageRequest())
        #expect(recipients.items.map(\.to) == ["a@example.com", "b@example.com"])
        #expect(try await reopened.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6"])
    }

    @Test func recipientIdsAreRowNumbers() async throws {
        let store = try await database.store()
        let seed = try await f.seed(store)
        let batch = try await f.draft(store, seed, ["a@example.com", "b@example.com"])
        let page = try await store.recipients(of: batch.id, in: seed.workspace.id, status: nil, page: PageRequest())
        let rows = try await store.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM recipients ORDER BY id") }
        #expect(page.items.map(\.id) == rows.map(Recipient.ID.init(row:)))
        #expect(page.items.first?.id.rawValue == "rcp_\(rows[0])")
    }

    @Test func largeUploadIsStoredCompletely() async throws {
        let store = try await database.store()
        let seed = try await f.seed(store)
        _ = try await store.addSuppression(f.suppression("user7@example.com", in: seed.workspace.id))
        let batch = try await f.draft(store, seed, ["user0@example.com"])
        let count = 50_000
        let chunks = stride(from: 0, to: count, by: 1_000).map { start in
            (start..<(start + 1_000)).map { i in
                NewRecipient(to: "user\(i)@example.com", normalizedTo: "user\(i)@example.com", variables: ["i": .int(i)])
            }
        }
        let result = try await store.addRecipients(
            to: batch.id, in: seed.workspace.id, chunks: Fixtures.stream(chunks), maxRecipients: 1_000_000, at: f.time(20))
        #expect(result == RecipientAddResult(added: count - 1, duplicates: 1, suppressed: 1, total: count))
        let stored = try #require(try await store.batch(batch.id, in: seed.workspace.id))
        #expect(stored.counts.pending == count - 1)
        #expect(stored.counts.suppressed == 1)
        #expect(try await store.stagedRecipientCount() == 0)
        let last = try await store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT to_address, variables FROM recipients ORDER BY id DESC LIMIT 1")
                .map { [$0["to_address"] as String? ?? "", $0["variables"] as String? ?? ""] }
        }
        #expect(last == ["user49999@example.com", #"{"i":49999}"#])
    }

    @Test func stagedRowsAreDeletedAfterFailures() async throws {
        let store = try await database.store()
        let seed = try await f.seed(store)
        let batch = try await f.draft(store, seed, ["a@example.com"])
        let chunks = [f.recipients(["b@example.com", "c@example.com"]), f.recipients(["d@example.com"])]
        await #expect(throws: UploadAborted.self) {
            try await store.addRecipients(
                to: batch.id, in: seed.workspace.id, chunks: Fixtures.stream(chunks, thenThrow: UploadAborted()),
                maxRecipients: 100, at: f.time(20))
        }
        #expect(try await store.stagedRecipientCount() == 0)
        await #expect(throws: StoreError.self) {
            try await store.addRecipients(
                to: batch.id, in: seed.workspace.id, chunks: Fixtures.stream(chunks), maxRecipients: 2, at: f.time(21))
        }
        #expect(try await store.stagedRecipientCount() == 0)
        // Staging lives in TEMP tables of the writer connection.
        let uploads = try await store.pool.write { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.recipient_uploads")
        }
        #expect(uploads == 0)
        #expect(try await store.batch(batch.id, in: seed.workspace.id)?.counts.total == 1)
    }

    @Test func otherWritersProceedDuringAnUpload() async throws {
        let store = try await database.store()
        let seed = try await f.seed(store)
        let batch = try await f.draft(store, seed, [])
        let other = f.sendConfig(in: seed.workspace.id, name: "written mid-upload")
        let chunks = [f.recipients(["a@example.com"]), f.recipients(["b@example.com"])]
        let pulls = Mutex(0)
        // Between chunks, another writer commits: the upload does not hold the write lock.
        let stream = AsyncThrowingStream<[NewRecipient], any Error>(unfolding: {
            let index = pulls.withLock { value in
                defer { value += 1 }
                return value
            }
            if index == 1 { try await store.insertSendConfig(other) }
            return index < chunks.count ? chunks[index] : nil
        })
        let result = try await store.addRecipients(
            to: batch.id, in: seed.workspace.id, chunks: stream, maxRecipients: 10, at: f.time(20))
        #expect(result.added == 2)
        #expect(try await store.sendConfig(other.id, in: seed.workspace.id) == other)
    }

    @Test func stagingDoesNotOutliveTheProcess() async throws {
        do {
            let store = try await database.store()
            let seed = try await f.seed(store)
            let batch = try await f.draft(store, seed, [])
            // An upload whose stream never ends, abandoned with staged rows (as by a crash).
            let (stream, continuation) = AsyncThrowingStream<[NewRecipient], any Error>.makeStream()
            continuation.yield(f.recipients(["a@example.com", "b@example.com"]))
            let upload = Task {
                try await store.addRecipients(
                    to: batch.id, in: seed.workspace.id, chunks: stream, maxRecipients: 10, at: f.time(20))
            }
            while try await store.stagedRecipientCount() < 2 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(try await store.batch(batch.id, in: seed.workspace.id)?.counts.total == 0, "not visible")
            continuation.finish(throwing: UploadAborted())
            _ = await upload.result
        }
        let reopened = try await database.store()
        #expect(try await reopened.stagedRecipientCount() == 0)
        let names = try await reopened.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name IN ('recipient_staging', 'recipient_uploads')")
        }
        #expect(names.isEmpty, "no persistent staging tables: \(names)")
    }

    @Test func abandonedUploadsArePurged() async throws {
        let store = try await database.store()
        #expect(try await store.stagedRecipientCount() == 0)  // creates the temp tables
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO recipient_uploads (id, batch_id, started_at) VALUES (7, 'bat_x', 100)")
            try db.execute(
                sql: """
                    INSERT INTO recipient_staging (upload_id, seq, to_address, normalized_to, variables)
                    VALUES (7, 0, 'a', 'a', '{}'), (7, 1, 'b', 'b', '{}')
                    """)
        }
        #expect(try await store.stagedRecipientCount() == 2)
        #expect(try await store.purgeAbandonedUploads(startedBefore: Date(timeIntervalSince1970: 50)) == 0)
        #expect(try await store.purgeAbandonedUploads(startedBefore: Date(timeIntervalSince1970: 200)) == 1)
        #expect(try await store.stagedRecipientCount() == 0)
    }

    @Test func driftedCountsAreRecomputedOnApply() async throws {
        let drifts = Mutex<[Batch.ID]>([])
        let store = try SQLiteStore(path: database.path) { id in drifts.withLock { $0.append(id) } }
        try await store.migrate()
        let seed = try await f.seed(store)
        let batch = try await f.draft(store, seed, ["a@example.com", "b@example.com"])
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE batches SET count_pending = 5 WHERE id = ?", arguments: [batch.id.rawValue])
        }
        let sent = try await store.apply(.send, to: batch.id, in: seed.workspace.id, at: f.time(10))
        #expect(sent.counts.queued == 2)
        #expect(sent.counts.pending == 0)
        #expect(sent.counts.total == 2)
        #expect(try await store.batch(batch.id, in: seed.workspace.id) == sent)
        #expect(drifts.withLock { $0 } == [batch.id])
    }
}

/// The hot queries use an index for both the filter and the order (no full scan, no sort).
@Suite struct SQLiteQueryPlanTests {
    @Test(arguments: [
        "SELECT * FROM recipients WHERE batch_id = 'b' AND id > 0 ORDER BY id LIMIT 501",
        "SELECT * FROM recipients WHERE batch_id = 'b' AND status = 'queued' AND id > 0 ORDER BY id LIMIT 501",
        "SELECT id FROM recipients WHERE status = 'queued' AND next_attempt_at <= 5 ORDER BY next_attempt_at LIMIT 100",
        "SELECT * FROM batches WHERE workspace_id = 'w' AND id < 'x' ORDER BY id DESC LIMIT 51",
        "SELECT * FROM suppressions WHERE workspace_id = 'w' AND address > 'a' ORDER BY address LIMIT 51",
    ])
    func usesIndex(_ sql: String) async throws {
        let database = try TemporaryDatabase()
        let store = try await database.store()
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String? ?? "" }
        }
        #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        withExtendedLifetime(database) {}
    }
}
