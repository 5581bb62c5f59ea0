import BatchSenderCore
import BatchSenderStore
import Foundation

/// The queue's promises for bad days: calls that outlive their lease, recipients that never
/// report, events that arrive too early or for an old message, fairness between batches, and
/// retries racing a deleted send config.
extension StoreConformance {
    static let failureCases: [Case] = [
        Case("a rescued recipient's late outcome applies until it is claimed again") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com", "b@example.com"])
            let first = try await store.claim(sendConfig: seed.sendConfig.id, limit: 2, now: f.time(11), leaseDuration: 30)
            try expectEqual(try await store.rescueLeases(expiringBy: f.time(41), now: f.time(41)), 2)
            // a: its slow call reports before anyone claims it again: the real outcome counts.
            let late = try await complete(store, first[0], .delivered(providerMessageID: "m-a"), at: f.time(42))
            try expectEqual(late.applied, 1)
            try expectEqual(late.late, 1)
            try expectEqual(late.lost, [])
            // b: claimed again first; the old claim's outcome is lost, the new one's counts.
            let again = try await store.claim(sendConfig: seed.sendConfig.id, limit: 2, now: f.time(43), leaseDuration: 30)
            try expectEqual(again.map(\.recipientID), [first[1].recipientID])
            let stale = try await complete(store, first[1], .failed(error: "stale"), at: f.time(44))
            try expectEqual(stale.lost, [first[1].recipientID])
            let fresh = try await complete(store, again[0], .sent(providerMessageID: "m-b"), at: f.time(45))
            try expectEqual(fresh.completedBatches, [batch.id])
            let counts = try await store.batchForDelivery(batch.id)?.counts
            try expectEqual(counts?.delivered, 1)
            try expectEqual(counts?.sent, 1)
            try expectEqual(counts?.queued, 0)
        },
        Case("rescue fails a recipient that has used every attempt") { store, f in
            let seed = try await f.seed(store)
            var draft = f.batch(for: seed.sendConfig)
            draft.maxAttempts = 2
            let created = try await store.createBatch(draft, recipients: f.recipients(["a@example.com"])).0
            let batch = try await store.apply(.send, to: created.id, in: seed.workspace.id, at: f.time(10))
            _ = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(11), leaseDuration: 30)
            try expectEqual(try await store.rescueLeases(expiringBy: f.time(41), now: f.time(41)), 1)
            try expectEqual(try await recipients(store, batch, .queued).map(\.attempts), [1], "one attempt left: queued")
            _ = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(42), leaseDuration: 30)
            try expectEqual(try await store.rescueLeases(expiringBy: f.time(72), now: f.time(72)), 1)
            let failed = try await recipients(store, batch, .failed)
            try expectEqual(failed.map(\.attempts), [2])
            try expectEqual(failed.first?.lastError?.hasPrefix("lease lost after 2 attempts") ?? false, true)
            let after = try await store.batchForDelivery(batch.id)
            try expectEqual(after?.status, .completed, "a recipient that never reports cannot keep its batch open")
        },
        Case("an event for a recipient in flight waits for the call's outcome") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com"])
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(11), leaseDuration: 30)
            // An early receipt that names the recipient by its key (Vonage client-ref) while sending.
            var early = event("e1", "vonage-1", .failed, f)
            early.recipientKey = MessageKey.make(batch: batch.id, recipient: claimed[0].recipientID)
            let report = try await store.recordEvents([early], for: seed.sendConfig, now: f.time(12))
            try expectEqual(report.applied, 0)
            try expectEqual(report.pending, 1)
            try expectEqual(try await store.batchForDelivery(batch.id)?.counts.sending, 1, "the event moved nothing")
            let done = try await complete(store, claimed[0], .sent(providerMessageID: "vonage-1"), at: f.time(13))
            try expectEqual(done.applied, 1)
            let after = try await store.batchForDelivery(batch.id)
            try expectEqual(after?.counts.failed, 1, "applied once the outcome recorded the message id")
            try expectEqual(after?.status, .completed)
        },
        Case("a retry clears the old message id, so the old message's events move nothing") { store, f in
            let seed = try await f.seed(store)
            let batch = try await sent(store, f, seed, ["a@example.com"])
            _ = try await store.recordEvents([event("e1", "m-a@example.com", .bounced, hard: false, f)], for: seed.sendConfig, now: f.time(20))
            _ = try await store.apply(.retry([.bounced]), to: batch.id, in: seed.workspace.id, at: f.time(21))
            let queued = try await recipients(store, batch, .queued)
            try expectEqual(queued.map(\.providerMessageID), [nil])
            try expectEqual(queued.map(\.retryGeneration), [1])
            let old = try await store.recordEvents([event("e2", "m-a@example.com", .complained, f)], for: seed.sendConfig, now: f.time(22))
            try expectEqual(old.applied, 0)
            try expectEqual(try await store.batchForDelivery(batch.id)?.counts.queued, 1)
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(23), leaseDuration: 30)
            try expectEqual(claimed.map(\.generation), [1], "the claim carries the generation for the idempotency key")
        },
        Case("claims share a send config's capacity fairly between its batches") { store, f in
            let seed = try await f.seed(store)
            let big = try await queued(store, f, seed, (0..<20).map { "big\($0)@example.com" })
            let small = try await queued(store, f, seed, ["s1@example.com", "s2@example.com"])
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 6, now: f.time(11), leaseDuration: 30)
            try expectEqual(claimed.count, 6)
            try expectEqual(claimed.filter { $0.batchID == small.id }.count, 2, "the newer batch is not starved")
            try expectEqual(claimed.filter { $0.batchID == big.id }.count, 4, "what the small batch cannot use goes to the big one")
        },
        Case("a retry is refused when the batch's send config is gone") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com"])
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(11), leaseDuration: 30)
            _ = try await complete(store, claimed[0], .failed(error: "HTTP 400"), at: f.time(12))
            try await store.deleteSendConfig(seed.sendConfig.id, in: seed.workspace.id)
            try await expectStoreError(.conflict) {
                try await store.apply(.retry([.failed]), to: batch.id, in: seed.workspace.id, at: f.time(13))
            }
            try expectEqual(try await store.batchForDelivery(batch.id)?.counts.failed, 1, "nothing re-queued")
        },
    ]
}
