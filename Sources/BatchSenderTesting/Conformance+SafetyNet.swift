import BatchSenderCore
import BatchSenderStore
import Foundation

/// The leader's tools: the stuck-batch safety net and the leadership lease itself.
extension StoreConformance {
    static let safetyNetCases: [Case] = [
        Case("the safety net recounts a batch whose maintained counts drifted") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com", "b@example.com", "c@example.com"])
            _ = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(11), leaseDuration: 30)
            let healthy = try await stored(store, batch.id)
            var drifted = healthy
            drifted.counts = counts(queued: 3)  // the claim's move was lost
            try await overwriting(store).overwriteBatchState(drifted)

            try expectEqual(try await store.repairStuckBatches(now: f.time(20)), [batch.id])
            let repaired = try await stored(store, batch.id)
            try expectEqual(repaired.counts, healthy.counts, "counted from the rows")
            try expectEqual(repaired.status, .processing, "still has work")
            try expectEqual(repaired.completedAt, nil)
            try expectEqual(try await store.repairStuckBatches(now: f.time(21)), [], "repaired once")
        },
        Case("the safety net completes batches whose recipients have all finished") { store, f in
            let seed = try await f.seed(store)
            let hidden = try await queued(store, f, seed, ["a@example.com", "b@example.com"])
            let open = try await queued(store, f, seed, ["c@example.com"])
            for claimed in try await store.claim(sendConfig: seed.sendConfig.id, limit: 10, now: f.time(11), leaseDuration: 30) {
                _ = try await complete(store, claimed, .sent(providerMessageID: "m-\(claimed.to)"), at: f.time(12))
            }
            // One batch's last outcome moved its recipient but neither its counts nor its status; the
            // other's counts are right but its completion was never written.
            var stale = try await stored(store, hidden.id)
            try expectEqual(stale.status, .completed)
            stale.status = .processing
            stale.completedAt = nil
            stale.counts.move(1, from: .sent, to: .sending)
            try await overwriting(store).overwriteBatchState(stale)
            var unfinished = try await stored(store, open.id)
            unfinished.status = .processing
            unfinished.completedAt = nil
            try await overwriting(store).overwriteBatchState(unfinished)

            try expectEqual(Set(try await store.repairStuckBatches(now: f.time(30))), [hidden.id, open.id])
            for (id, sent) in [(hidden.id, 2), (open.id, 1)] {
                let repaired = try await stored(store, id)
                try expectEqual(repaired.status, .completed)
                try expectEqual(repaired.completedAt, f.time(30))
                try expectEqual(repaired.counts.sent, sent)
                try expectEqual(repaired.counts.open, 0)
            }
            try expectEqual(try await store.repairStuckBatches(now: f.time(31)), [], "repaired once")
        },
        Case("leadership expires and moves between holders; each name is its own lease") { store, f in
            func acquire(_ name: String, _ holder: String, at seconds: Double) async throws -> Bool {
                try await store.acquireLeadership(name, holder: holder, now: f.time(seconds), ttl: 10)
            }
            try expectTrue(try await acquire("m", "a", at: 0), "first")
            try expectTrue(!(try await acquire("m", "b", at: 9)), "a's lease lasts until 10")
            try expectTrue(try await acquire("m", "b", at: 10), "expired: it moves to b")
            try expectTrue(!(try await acquire("m", "a", at: 11)), "b holds it now")
            try expectTrue(try await acquire("other", "a", at: 11), "another name is another lease")
            try expectTrue(try await acquire("m", "b", at: 15), "b renews, to 25")
            try expectTrue(!(try await acquire("m", "a", at: 24)), "the renewal counts")
            try expectTrue(try await acquire("m", "a", at: 25), "and back to a")
            try expectTrue(!(try await acquire("m", "b", at: 26)), "a holds it again")
        },
    ]

    /// The batch as the store holds it.
    static func stored(_ store: any DataStore, _ id: Batch.ID, fileID: String = #fileID, line: Int = #line) async throws
        -> Batch
    {
        guard let batch = try await store.batchForDelivery(id) else {
            throw ConformanceFailure(message: "batch \(id) not found", location: "\(fileID):\(line)")
        }
        return batch
    }

    /// The driver's back door (see `BatchStateOverwriting`).
    static func overwriting(_ store: any DataStore) throws -> any BatchStateOverwriting {
        guard let store = store as? any BatchStateOverwriting else {
            throw ConformanceFailure(
                message: "the driver's test target must conform its store to BatchStateOverwriting", location: #fileID)
        }
        return store
    }
}
