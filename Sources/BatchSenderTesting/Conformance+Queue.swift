import BatchSenderCore
import BatchSenderStore
import Foundation

extension StoreConformance {
    /// A sent batch of `addresses` at `f.time(10)`.
    static func queued(_ store: any DataStore, _ f: Fixtures, _ seed: Seed, _ addresses: [String]) async throws -> Batch {
        let batch = try await f.draft(store, seed, addresses)
        return try await store.apply(.send, to: batch.id, in: seed.workspace.id, at: f.time(10))
    }

    static func complete(
        _ store: any DataStore, _ claimed: ClaimedDelivery, _ resolution: DeliveryResolution, at now: Date
    ) async throws -> CompletionReport {
        try await store.complete(
            [DeliveryCompletion(recipientID: claimed.recipientID, batchID: claimed.batchID, leaseToken: claimed.leaseToken,
                                resolution: resolution)], now: now)
    }

    static let queueCases: [Case] = [
        Case("an opted-out recipient is suppressed and its address joins the suppression list") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["A@Example.com", "b@example.com"])
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 2, now: f.time(11), leaseDuration: 30)
            _ = try await complete(store, claimed[0], .optedOut(error: "twilio 21610: replied STOP"), at: f.time(12))
            let stored = try await store.batchForDelivery(batch.id)
            try expectEqual(stored?.counts.suppressed, 1)
            let rows = try await store.recipients(of: batch.id, in: seed.workspace.id, status: .suppressed, page: PageRequest(limit: 5)).items
            try expectEqual(rows.first?.lastError, "twilio 21610: replied STOP")
            let listed = try await store.suppressions(in: seed.workspace.id, page: PageRequest(limit: 5)).items
            try expectEqual(listed.map(\.address), ["a@example.com"])
            try expectEqual(listed.map(\.reason), [.unsubscribe])
        },
        Case("claim takes due recipients with a lease and starts the batch") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com", "b@example.com", "c@example.com"])
            try expectEqual(try await store.sendConfigsWithDueWork(now: f.time(9)), [], "nothing due before send time")
            try expectEqual(try await store.sendConfigsWithDueWork(now: f.time(11)), [seed.sendConfig.id])
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 2, now: f.time(11), leaseDuration: 30)
            try expectEqual(claimed.map(\.to), ["a@example.com", "b@example.com"])
            try expectEqual(claimed.map(\.attempt), [1, 1])
            try expectEqual(claimed[0].leaseExpiresAt, f.time(41))
            try expectEqual(claimed[0].maxAttempts, 5)
            try expectEqual(claimed[0].variables["row"], 0)
            let after = try await store.batchForDelivery(batch.id)
            try expectEqual(after?.status, .processing)
            try expectEqual(after?.startedAt, f.time(11))
            try expectEqual(after?.counts.sending, 2)
            try expectEqual(after?.counts.queued, 1)
            try expectEqual(try await recipients(store, batch, .sending).map(\.attempts), [1, 1])
            try expectEqual(try await store.queueDepth(), 3)
            let other = try await store.claim(sendConfig: f.id(), limit: 10, now: f.time(11), leaseDuration: 30)
            try expectEqual(other.count, 0, "another config's work is not claimed")
        },
        Case("claim skips paused batches and recipients not yet due") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com"])
            _ = try await store.apply(.pause, to: batch.id, in: seed.workspace.id, at: f.time(11))
            try expectEqual(try await store.claim(sendConfig: seed.sendConfig.id, limit: 5, now: f.time(12), leaseDuration: 30).count, 0)
            try expectEqual(try await store.sendConfigsWithDueWork(now: f.time(12)), [])
            _ = try await store.apply(.resume, to: batch.id, in: seed.workspace.id, at: f.time(13))
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 5, now: f.time(14), leaseDuration: 30)
            try expectEqual(claimed.count, 1)
            _ = try await complete(store, claimed[0], .retry(at: f.time(100), error: "HTTP 503"), at: f.time(15))
            try expectEqual(try await store.claim(sendConfig: seed.sendConfig.id, limit: 5, now: f.time(99), leaseDuration: 30).count, 0)
            let again = try await store.claim(sendConfig: seed.sendConfig.id, limit: 5, now: f.time(100), leaseDuration: 30)
            try expectEqual(again.map(\.attempt), [2])
        },
        Case("claim suppresses addresses suppressed since they were added") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com", "b@example.com"])
            _ = try await store.addSuppression(f.suppression("b@example.com", in: seed.workspace.id))
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 5, now: f.time(11), leaseDuration: 30)
            try expectEqual(claimed.map(\.to), ["a@example.com"])
            try expectEqual(try await store.batchForDelivery(batch.id)?.counts.suppressed, 1)
        },
        Case("complete records each resolution, counts and completion once") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com", "b@example.com", "c@example.com", "d@example.com"])
            let c = try await store.claim(sendConfig: seed.sendConfig.id, limit: 4, now: f.time(11), leaseDuration: 30)
            let report = try await store.complete([
                DeliveryCompletion(recipientID: c[0].recipientID, batchID: batch.id, leaseToken: c[0].leaseToken,
                                   resolution: .sent(providerMessageID: "m-a"), segments: 3),
                DeliveryCompletion(recipientID: c[1].recipientID, batchID: batch.id, leaseToken: c[1].leaseToken,
                                   resolution: .delivered(providerMessageID: "m-b")),
                DeliveryCompletion(recipientID: c[2].recipientID, batchID: batch.id, leaseToken: c[2].leaseToken,
                                   resolution: .failed(error: "HTTP 404")),
                DeliveryCompletion(recipientID: c[3].recipientID, batchID: batch.id, leaseToken: c[3].leaseToken,
                                   resolution: .released(at: f.time(12))),
            ], now: f.time(12))
            try expectEqual(report.applied, 4)
            try expectEqual(report.lost, [])
            try expectEqual(report.completedBatches, [], "d is queued again")
            let rows = try await store.recipients(of: batch.id, in: seed.workspace.id, status: nil, page: PageRequest(limit: 10)).items
            try expectEqual(rows.map(\.status), [.sent, .delivered, .failed, .queued])
            try expectEqual(rows[0].providerMessageID, "m-a")
            try expectEqual(rows[0].segments, 3, "an SMS segment count is kept with the outcome")
            try expectEqual(rows[1].segments, nil)
            try expectEqual(rows[0].sentAt, f.time(12))
            try expectEqual(rows[1].deliveredAt, f.time(12))
            try expectEqual(rows[2].lastError, "HTTP 404")
            try expectEqual(rows[3].attempts, 0, "a released claim gives its attempt back")
            let last = try await store.claim(sendConfig: seed.sendConfig.id, limit: 4, now: f.time(12), leaseDuration: 30)
            let done = try await complete(store, last[0], .sent(providerMessageID: "m-d"), at: f.time(13))
            try expectEqual(done.completedBatches, [batch.id])
            let finished = try await store.batchForDelivery(batch.id)
            try expectEqual(finished?.status, .completed)
            try expectEqual(finished?.completedAt, f.time(13))
            try expectEqual(finished?.counts.sent, 2)
            try expectEqual(finished?.counts.total, 4)
            try expectEqual(try await store.queueDepth(), 0)
            try expectEqual(try await store.batchCountsByStatus()[.completed], 1)
        },
        Case("an outcome for a lease no longer held is reported lost") { store, f in
            let seed = try await f.seed(store)
            _ = try await queued(store, f, seed, ["a@example.com"])
            let first = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(11), leaseDuration: 5)
            try expectEqual(try await store.rescueExpiredLeases(now: f.time(15)), 0, "lease still valid")
            try expectEqual(try await store.rescueExpiredLeases(now: f.time(16)), 1)
            let second = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(17), leaseDuration: 5)
            try expectEqual(second.map(\.attempt), [2])
            let stale = try await complete(store, first[0], .sent(providerMessageID: "late"), at: f.time(18))
            try expectEqual(stale.lost, [first[0].recipientID])
            try expectEqual(stale.applied, 0)
            let fresh = try await complete(store, second[0], .sent(providerMessageID: "ok"), at: f.time(18))
            try expectEqual(fresh.applied, 1)
        },
        Case("extending a lease keeps it from the rescuer") { store, f in
            let seed = try await f.seed(store)
            _ = try await queued(store, f, seed, ["a@example.com"])
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(11), leaseDuration: 5)
            try await store.extendLeases([(claimed[0].recipientID, leaseToken: claimed[0].leaseToken)], until: f.time(60))
            try await store.extendLeases([(claimed[0].recipientID, leaseToken: claimed[0].leaseToken + 1)], until: f.time(20))
            try expectEqual(try await store.rescueExpiredLeases(now: f.time(59)), 0)
            try expectEqual(try await store.rescueExpiredLeases(now: f.time(60)), 1)
        },
        Case("rescuing every lease at start-up makes the work due now") { store, f in
            let seed = try await f.seed(store)
            _ = try await queued(store, f, seed, ["a@example.com"])
            _ = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(11), leaseDuration: 30)
            try expectEqual(try await store.rescueLeases(expiringBy: .distantFuture, now: f.time(12)), 1)
            let again = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(12), leaseDuration: 30)
            try expectEqual(again.map(\.attempt), [2], "due at once, not at the far-future cut-off")
        },
        Case("in a cancelled batch, outcomes that would re-queue cancel instead") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com", "b@example.com", "c@example.com"])
            let c = try await store.claim(sendConfig: seed.sendConfig.id, limit: 2, now: f.time(11), leaseDuration: 30)
            let cancelled = try await store.apply(.cancel, to: batch.id, in: seed.workspace.id, at: f.time(12))
            try expectEqual(cancelled.counts.cancelled, 1)
            try expectEqual(cancelled.completedAt, nil, "two calls are still in flight")
            _ = try await complete(store, c[0], .retry(at: f.time(20), error: "HTTP 500"), at: f.time(13))
            let report = try await complete(store, c[1], .sent(providerMessageID: "m"), at: f.time(14))
            try expectEqual(report.completedBatches, [batch.id])
            let done = try await store.batchForDelivery(batch.id)
            try expectEqual(done?.status, .cancelled)
            try expectEqual(done?.completedAt, f.time(14))
            try expectEqual(done?.counts.cancelled, 2)
            try expectEqual(done?.counts.sent, 1)
        },
        Case("scheduled batches start when due") { store, f in
            let seed = try await f.seed(store)
            let batch = try await f.draft(store, seed, ["a@example.com"], scheduledAt: f.time(100))
            _ = try await store.apply(.send, to: batch.id, in: seed.workspace.id, at: f.time(10))
            try expectEqual(try await store.startScheduledBatches(now: f.time(99)), [])
            try expectEqual(try await store.startScheduledBatches(now: f.time(100)), [batch.id])
            let started = try await store.batchForDelivery(batch.id)
            try expectEqual(started?.status, .queued)
            try expectEqual(started?.counts.queued, 1)
            try expectEqual(try await store.claim(sendConfig: seed.sendConfig.id, limit: 5, now: f.time(100), leaseDuration: 30).count, 1)
        },
        Case("the safety net finds nothing in healthy batches") { store, f in
            let seed = try await f.seed(store)
            _ = try await queued(store, f, seed, ["a@example.com"])
            try expectEqual(try await store.repairStuckBatches(now: f.time(20)), [])
        },
        Case("one leader at a time, renewable, taken over after expiry") { store, f in
            try expectTrue(try await store.acquireLeadership("m", holder: "a", now: f.time(0), ttl: 10), "first")
            try expectTrue(!(try await store.acquireLeadership("m", holder: "b", now: f.time(5), ttl: 10)), "held by a")
            try expectTrue(try await store.acquireLeadership("m", holder: "a", now: f.time(5), ttl: 10), "renewed")
            try expectTrue(!(try await store.acquireLeadership("m", holder: "b", now: f.time(14), ttl: 10)), "renewal counts")
            try expectTrue(try await store.acquireLeadership("m", holder: "b", now: f.time(15), ttl: 10), "expired")
        },
        Case("sandbox messages, statuses and delivery lookups") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com"])
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(11), leaseDuration: 30)
            let message = SandboxMessage(
                recipientID: claimed[0].recipientID, batchID: batch.id, sendConfigID: seed.sendConfig.id,
                providerMessageID: "sandbox_1", content: ["subject": "Hi"], createdAt: f.time(12))
            try await store.recordSandboxMessages([message])
            try expectEqual(try await store.sandboxMessages(of: batch.id, limit: 10), [message])
            try expectEqual(try await store.batchStatuses([batch.id, f.id()]), [batch.id: .processing])
            try expectEqual(try await store.batchForDelivery(batch.id)?.id, batch.id)
            try expectEqual(try await store.sendConfigForDelivery(seed.sendConfig.id), seed.sendConfig)
        },
    ]
}
