import BatchSenderCore
import BatchSenderStore
import Foundation

extension StoreConformance {
    static let uploadCases: [Case] = [
        Case("addRecipients adds chunks, counts dupes across chunks and calls") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            _ = try await store.addSuppression(f.suppression("s@example.com", in: wsID))
            let batch = try await f.draft(store, seed, ["a@example.com"])
            let chunks = [
                f.recipients(["b@example.com", "A@example.com"]), [], f.recipients(["c@example.com", "B@EXAMPLE.COM"]),
                f.recipients(["S@example.com"]),
            ]
            let first = try await store.addRecipients(
                to: batch.id, in: wsID, chunks: Fixtures.stream(chunks), maxRecipients: 100, at: f.time(20))
            try expectEqual(first, RecipientAddResult(added: 3, duplicates: 2, suppressed: 1, total: 4))
            let second = try await store.addRecipients(
                to: batch.id, in: wsID, chunks: Fixtures.stream([f.recipients(["c@example.com", "d@example.com"])]),
                maxRecipients: 100, at: f.time(21))
            try expectEqual(second, RecipientAddResult(added: 1, duplicates: 1, suppressed: 0, total: 5))
            let stored = try await store.batch(batch.id, in: wsID)
            try expectEqual(stored?.counts.pending, 4)
            try expectEqual(stored?.counts.suppressed, 1)
            try expectEqual(stored?.counts.total, 5)
            try expectEqual(stored?.updatedAt, f.time(21), "updatedAt")
            let recipients = try await store.recipients(of: batch.id, in: wsID, status: nil, page: PageRequest()).items
            try expectEqual(
                recipients.map(\.to), ["a@example.com", "b@example.com", "c@example.com", "S@example.com", "d@example.com"])
            try expectEqual(recipients.map(\.status), [.pending, .pending, .pending, .suppressed, .pending])
            try expectEqual(recipients[1].variables, chunks[0][0].variables)
            try expectEqual(recipients[1].updatedAt, f.time(20))
        },
        Case("addRecipients: a throwing stream stores nothing") { store, f in
            let seed = try await f.seed(store)
            let batch = try await f.draft(store, seed, ["a@example.com"])
            try await expectThrows(UploadAborted(), "stream error is rethrown") {
                try await store.addRecipients(
                    to: batch.id, in: seed.workspace.id,
                    chunks: Fixtures.stream(
                        [f.recipients(["b@example.com"]), f.recipients(["c@example.com"])], thenThrow: UploadAborted()),
                    maxRecipients: 100, at: f.time(20))
            }
            try await expectUnchanged(store, batch, ["a@example.com"])
            // The addresses of the failed upload are not taken: they can be added afterwards.
            let retry = try await store.addRecipients(
                to: batch.id, in: seed.workspace.id, chunks: Fixtures.stream([f.recipients(["b@example.com"])]),
                maxRecipients: 100, at: f.time(21))
            try expectEqual(retry, RecipientAddResult(added: 1, duplicates: 0, suppressed: 0, total: 2))
        },
        Case("addRecipients: limit exceeded stores nothing, duplicates do not count") { store, f in
            let seed = try await f.seed(store)
            let batch = try await f.draft(store, seed, ["a@example.com", "b@example.com"])
            try await expectStoreError(.unprocessable, "over the limit") {
                try await store.addRecipients(
                    to: batch.id, in: seed.workspace.id,
                    chunks: Fixtures.stream([f.recipients(["c@example.com"]), f.recipients(["d@example.com"])]),
                    maxRecipients: 3, at: f.time(20))
            }
            try await expectUnchanged(store, batch, ["a@example.com", "b@example.com"])
            let exact = try await store.addRecipients(
                to: batch.id, in: seed.workspace.id,
                chunks: Fixtures.stream([f.recipients(["a@example.com", "c@example.com", "b@example.com", "C@example.com"])]),
                maxRecipients: 3, at: f.time(21))
            try expectEqual(exact, RecipientAddResult(added: 1, duplicates: 3, suppressed: 0, total: 3), "up to the limit")
        },
        Case("addRecipients: only to a draft") { store, f in
            let seed = try await f.seed(store)
            let batch = try await f.draft(store, seed, ["a@example.com"])
            _ = try await store.apply(.send, to: batch.id, in: seed.workspace.id, at: f.time(10))
            try await expectStoreError(.conflict, "queued batch") {
                try await store.addRecipients(
                    to: batch.id, in: seed.workspace.id, chunks: Fixtures.stream([f.recipients(["b@example.com"])]),
                    maxRecipients: 100, at: f.time(20))
            }
            try await expectStoreError(.notFound, "unknown batch") {
                try await store.addRecipients(
                    to: f.id(), in: seed.workspace.id, chunks: Fixtures.stream([]), maxRecipients: 100, at: f.time(20))
            }
            try expectEqual(try await store.batch(batch.id, in: seed.workspace.id)?.counts.total, 1)
        },
        Case("addRecipients: batch sent during the upload is a conflict at commit") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let batch = try await f.draft(store, seed, ["a@example.com"])
            let chunks = [f.recipients(["b@example.com"]), f.recipients(["c@example.com"])]
            let pulls = PullCounter()
            // The second chunk is produced only after the batch has been sent.
            let stream = AsyncThrowingStream<[NewRecipient], any Error>(unfolding: {
                let index = await pulls.next()
                if index == 1 { _ = try await store.apply(.send, to: batch.id, in: wsID, at: f.time(15)) }
                return index < chunks.count ? chunks[index] : nil
            })
            try await expectStoreError(.conflict, "sent while uploading") {
                try await store.addRecipients(to: batch.id, in: wsID, chunks: stream, maxRecipients: 100, at: f.time(20))
            }
            let stored = try await store.batch(batch.id, in: wsID)
            try expectEqual(stored?.status, .queued)
            try expectEqual(stored?.counts.total, 1, "nothing added")
            try expectEqual(stored?.counts.queued, 1)
        },
        Case("addRecipients: empty stream adds nothing") { store, f in
            let seed = try await f.seed(store)
            let batch = try await f.draft(store, seed, ["a@example.com"])
            let result = try await store.addRecipients(
                to: batch.id, in: seed.workspace.id, chunks: Fixtures.stream([]), maxRecipients: 1, at: f.time(20))
            try expectEqual(result, RecipientAddResult(added: 0, duplicates: 0, suppressed: 0, total: 1))
        },
    ]

    /// Fails unless the batch still has exactly `addresses`, all pending, and its stored counts.
    static func expectUnchanged(_ store: any DataStore, _ batch: Batch, _ addresses: [String]) async throws {
        let stored = try await store.batch(batch.id, in: batch.workspaceID)
        try expectEqual(stored?.counts, batch.counts, "counts unchanged")
        let recipients = try await store.recipients(of: batch.id, in: batch.workspaceID, status: nil, page: PageRequest())
        try expectEqual(recipients.items.map(\.to), addresses, "recipients unchanged")
    }
}
