import BatchSenderCore
import BatchSenderStore
import Foundation

extension StoreConformance {
    static let lifecycleCases: [Case] = [
        Case("send queues pending recipients and moves counts") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            _ = try await store.addSuppression(f.suppression("s@example.com", in: wsID))
            let batch = try await f.draft(store, seed, ["a@example.com", "s@example.com", "b@example.com"])
            let sent = try await store.apply(.send, to: batch.id, in: wsID, at: f.time(10))
            try expectEqual(sent.status, .queued)
            try expectEqual(sent.updatedAt, f.time(10))
            try expectEqual(sent.completedAt, nil)
            try expectEqual(sent.counts, counts(queued: 2, suppressed: 1))
            try expectEqual(try await store.batch(batch.id, in: wsID), sent, "stored as returned")
            let queued = try await recipients(store, sent, .queued)
            try expectEqual(queued.map(\.to), ["a@example.com", "b@example.com"])
            for recipient in queued {
                try expectEqual(recipient.updatedAt, f.time(10))
                try expectEqual(recipient.nextAttemptAt, f.time(10), "due at once")
            }
            try expectEqual(try await recipients(store, sent, .pending).count, 0)
            try expectEqual(try await recipients(store, sent, .suppressed).map(\.to), ["s@example.com"])
            try await expectStoreError(.conflict, "send twice") {
                try await store.apply(.send, to: batch.id, in: wsID, at: f.time(11))
            }
            try await expectStoreError(.notFound, "unknown batch") {
                try await store.apply(.send, to: f.id(), in: wsID, at: f.time(11))
            }
        },
        Case("send of an empty batch is unprocessable") { store, f in
            let seed = try await f.seed(store)
            let batch = try await f.draft(store, seed, [])
            try await expectStoreError(.unprocessable, "empty") {
                try await store.apply(.send, to: batch.id, in: seed.workspace.id, at: f.time(10))
            }
            try expectEqual(try await store.batch(batch.id, in: seed.workspace.id)?.status, .draft)
        },
        Case("send with a future scheduledAt schedules; pause and resume keep it scheduled") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let batch = try await f.draft(store, seed, ["a@example.com", "b@example.com"], scheduledAt: f.time(3600))
            let scheduled = try await store.apply(.send, to: batch.id, in: wsID, at: f.time(10))
            try expectEqual(scheduled.status, .scheduled)
            try expectEqual(scheduled.counts, counts(pending: 2))
            try expectEqual(try await recipients(store, scheduled, .pending).count, 2, "still pending")
            let paused = try await store.apply(.pause, to: batch.id, in: wsID, at: f.time(11))
            try expectEqual(paused.status, .paused)
            let resumed = try await store.apply(.resume, to: batch.id, in: wsID, at: f.time(12))
            try expectEqual(resumed.status, .scheduled)
            try expectEqual(resumed.counts, counts(pending: 2))
            _ = try await store.apply(.pause, to: batch.id, in: wsID, at: f.time(13))
            // Resumed after the schedule passed: queued at once.
            let late = try await store.apply(.resume, to: batch.id, in: wsID, at: f.time(4000))
            try expectEqual(late.status, .queued)
            try expectEqual(late.counts, counts(queued: 2))
            try expectEqual(try await store.batch(batch.id, in: wsID), late)
            try expectEqual(try await recipients(store, late, .queued).map(\.nextAttemptAt), [f.time(4000), f.time(4000)])
        },
        Case("pause and resume a queued batch") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let batch = try await f.draft(store, seed, ["a@example.com"])
            try await expectStoreError(.conflict, "pause a draft") {
                try await store.apply(.pause, to: batch.id, in: wsID, at: f.time(9))
            }
            _ = try await store.apply(.send, to: batch.id, in: wsID, at: f.time(10))
            let paused = try await store.apply(.pause, to: batch.id, in: wsID, at: f.time(11))
            try expectEqual(paused.status, .paused)
            try expectEqual(paused.counts, counts(queued: 1), "recipients stay queued")
            try expectEqual(try await store.apply(.pause, to: batch.id, in: wsID, at: f.time(12)), paused, "pause twice")
            let resumed = try await store.apply(.resume, to: batch.id, in: wsID, at: f.time(13))
            try expectEqual(resumed.status, .queued)
            try expectEqual(resumed.counts, counts(queued: 1))
            try expectEqual(try await store.batch(batch.id, in: wsID), resumed)
            try expectEqual(try await store.apply(.resume, to: batch.id, in: wsID, at: f.time(14)), resumed, "resume twice")
        },
        Case("cancel moves pending and queued to cancelled and completes") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            _ = try await store.addSuppression(f.suppression("s@example.com", in: wsID))
            let batch = try await f.draft(store, seed, ["a@example.com", "b@example.com", "s@example.com"])
            _ = try await store.apply(.send, to: batch.id, in: wsID, at: f.time(10))
            let cancelled = try await store.apply(.cancel, to: batch.id, in: wsID, at: f.time(11))
            try expectEqual(cancelled.status, .cancelled)
            try expectEqual(cancelled.counts, counts(suppressed: 1, cancelled: 2))
            try expectEqual(cancelled.completedAt, f.time(11), "no call in flight: finished at once")
            try expectEqual(try await store.batch(batch.id, in: wsID), cancelled)
            try expectEqual(try await recipients(store, cancelled, .cancelled).map(\.to), ["a@example.com", "b@example.com"])
            try expectEqual(try await store.apply(.cancel, to: batch.id, in: wsID, at: f.time(12)), cancelled, "twice")
            try await expectStoreError(.conflict, "resume a cancelled batch") {
                try await store.apply(.resume, to: batch.id, in: wsID, at: f.time(13))
            }
            try await expectStoreError(.conflict, "send a cancelled batch") {
                try await store.apply(.send, to: batch.id, in: wsID, at: f.time(13))
            }
        },
        Case("retry re-queues exactly the named statuses") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let batch = try await f.draft(store, seed, ["a@example.com", "b@example.com"])
            try await expectStoreError(.conflict, "retry a draft") {
                try await store.apply(.retry([.failed]), to: batch.id, in: wsID, at: f.time(9))
            }
            _ = try await store.apply(.cancel, to: batch.id, in: wsID, at: f.time(10))
            try await expectStoreError(.unprocessable, "no statuses") {
                try await store.apply(.retry([]), to: batch.id, in: wsID, at: f.time(11))
            }
            try await expectStoreError(.unprocessable, "not retryable") {
                try await store.apply(.retry([.sent, .cancelled]), to: batch.id, in: wsID, at: f.time(11))
            }
            let nothing = try await store.apply(.retry([.failed]), to: batch.id, in: wsID, at: f.time(11))
            try expectEqual(nothing.status, .cancelled, "nothing to retry leaves the batch")
            try expectEqual(nothing.counts, counts(cancelled: 2))
            let retried = try await store.apply(.retry([.cancelled, .failed]), to: batch.id, in: wsID, at: f.time(12))
            try expectEqual(retried.status, .queued, "never started: queued")
            try expectEqual(retried.completedAt, nil)
            try expectEqual(retried.counts, counts(queued: 2))
            try expectEqual(try await store.batch(batch.id, in: wsID), retried)
            for recipient in try await recipients(store, retried, .queued) {
                try expectEqual(recipient.attempts, 0)
                try expectEqual(recipient.nextAttemptAt, f.time(12))
                try expectEqual(recipient.updatedAt, f.time(12))
            }
        },
        Case("retry re-opens a finished batch as queued; the next claim makes it processing again") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let batch = try await queued(store, f, seed, ["a@example.com", "b@example.com"])
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 2, now: f.time(11), leaseDuration: 30)
            _ = try await complete(store, claimed[0], .failed(error: "rejected"), at: f.time(12))
            _ = try await complete(store, claimed[1], .sent(providerMessageID: "m"), at: f.time(12))
            try expectEqual(try await store.batch(batch.id, in: wsID)?.status, .completed)
            let retried = try await store.apply(.retry([.failed]), to: batch.id, in: wsID, at: f.time(13))
            try expectEqual(retried.status, .queued, "the table's move: completed → queued")
            try expectEqual(retried.startedAt, f.time(11), "the first start is kept")
            try expectEqual(retried.completedAt, nil)
            _ = try await store.claim(sendConfig: seed.sendConfig.id, limit: 2, now: f.time(14), leaseDuration: 30)
            let running = try await store.batch(batch.id, in: wsID)
            try expectEqual(running?.status, .processing)
            try expectEqual(running?.startedAt, f.time(11))
        },
        Case("send completes a batch whose recipients are all suppressed") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            _ = try await store.addSuppression(f.suppression("s@example.com", in: wsID))
            _ = try await store.addSuppression(f.suppression("t@example.com", in: wsID))
            let batch = try await f.draft(store, seed, ["s@example.com", "T@example.com"])
            let sent = try await store.apply(.send, to: batch.id, in: wsID, at: f.time(10))
            try expectEqual(sent.status, .completed)
            try expectEqual(sent.completedAt, f.time(10))
            try expectEqual(sent.counts, counts(suppressed: 2))
            try expectEqual(try await store.batch(batch.id, in: wsID), sent)
            try await expectStoreError(.conflict, "cancel a completed batch") {
                try await store.apply(.cancel, to: batch.id, in: wsID, at: f.time(11))
            }
            try await expectStoreError(.conflict, "pause a completed batch") {
                try await store.apply(.pause, to: batch.id, in: wsID, at: f.time(11))
            }
        },
    ]

    static func counts(
        pending: Int = 0, queued: Int = 0, suppressed: Int = 0, cancelled: Int = 0
    ) -> RecipientCounts {
        var counts = RecipientCounts()
        counts.pending = pending
        counts.queued = queued
        counts.suppressed = suppressed
        counts.cancelled = cancelled
        return counts
    }

    /// All recipients of `batch` in `status`.
    static func recipients(_ store: any DataStore, _ batch: Batch, _ status: RecipientStatus) async throws -> [Recipient] {
        try await store.recipients(of: batch.id, in: batch.workspaceID, status: status, page: PageRequest(limit: 500)).items
    }
}
