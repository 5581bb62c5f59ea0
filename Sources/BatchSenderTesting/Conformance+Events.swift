import BatchSenderCore
import BatchSenderStore
import Foundation

extension StoreConformance {
    /// A batch of `addresses` whose recipients were handed to the provider as `m-<address>`.
    static func sent(_ store: any DataStore, _ f: Fixtures, _ seed: Seed, _ addresses: [String]) async throws -> Batch {
        let batch = try await queued(store, f, seed, addresses)
        let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: addresses.count, now: f.time(11), leaseDuration: 30)
        _ = try await store.complete(claimed.map {
            DeliveryCompletion(recipientID: $0.recipientID, batchID: $0.batchID, leaseToken: $0.leaseToken,
                               resolution: .sent(providerMessageID: "m-\($0.to)"))
        }, now: f.time(12))
        return batch
    }

    static func event(
        _ id: String, _ message: String, _ kind: ProviderEvent.Kind, hard: Bool? = nil, at seconds: TimeInterval = 20,
        _ f: Fixtures
    ) -> ProviderEvent {
        ProviderEvent(eventID: id, messageID: message, kind: kind, hard: hard, detail: "\(kind) detail", occurredAt: f.time(seconds))
    }

    static let eventCases: [Case] = [
        Case("events move recipients and counts, and duplicates are ignored") { store, f in
            let seed = try await f.seed(store)
            let batch = try await sent(store, f, seed, ["a@example.com", "b@example.com", "c@example.com"])
            let report = try await store.recordEvents([
                event("e1", "m-a@example.com", .delivered, f),
                event("e2", "m-b@example.com", .bounced, hard: false, f),
                event("e3", "m-c@example.com", .failed, f),
                event("e1", "m-a@example.com", .delivered, f),
            ], for: seed.sendConfig, now: f.time(21))
            try expectEqual(report.recorded, 3)
            try expectEqual(report.duplicates, 1)
            try expectEqual(report.applied, 3)
            let again = try await store.recordEvents([event("e1", "m-a@example.com", .delivered, f)], for: seed.sendConfig, now: f.time(22))
            try expectEqual(again.duplicates, 1, "a redelivered event is recognised by its id")
            let counts = try await store.batchForDelivery(batch.id)?.counts
            try expectEqual(counts?.delivered, 1)
            try expectEqual(counts?.bounced, 1)
            try expectEqual(counts?.failed, 1)
            try expectEqual(counts?.sent, 0)
            try expectEqual(try await store.suppressions(in: seed.workspace.id, page: PageRequest(limit: 10)).items, [],
                            "a soft bounce does not suppress")
            let rows = try await store.recipients(of: batch.id, in: seed.workspace.id, status: nil, page: PageRequest(limit: 10)).items
            try expectEqual(rows[0].deliveredAt, f.time(20))
            try expectEqual(rows[1].lastError?.contains("soft"), true)
        },
        Case("hard bounces and complaints suppress the address in the workspace") { store, f in
            let seed = try await f.seed(store)
            let batch = try await sent(store, f, seed, ["a@example.com", "b@example.com"])
            let report = try await store.recordEvents([
                event("e1", "m-a@example.com", .bounced, hard: true, f),
                event("e2", "m-b@example.com", .delivered, f),
                event("e3", "m-b@example.com", .complained, at: 30, f),
            ], for: seed.sendConfig, now: f.time(31))
            try expectEqual(report.suppressed.sorted(), ["a@example.com", "b@example.com"])
            let listed = try await store.suppressions(in: seed.workspace.id, page: PageRequest(limit: 10)).items
            try expectEqual(listed.map(\.reason), [.bounce, .complaint])
            let counts = try await store.batchForDelivery(batch.id)?.counts
            try expectEqual(counts?.bounced, 1)
            try expectEqual(counts?.complained, 1)
            try expectEqual(counts?.delivered, 0)
        },
        Case("an out-of-order event is recorded but does not move the recipient back") { store, f in
            let seed = try await f.seed(store)
            let batch = try await sent(store, f, seed, ["a@example.com"])
            _ = try await store.recordEvents([event("e2", "m-a@example.com", .bounced, hard: true, at: 30, f)],
                                             for: seed.sendConfig, now: f.time(31))
            let late = try await store.recordEvents([event("e1", "m-a@example.com", .delivered, at: 20, f)],
                                                    for: seed.sendConfig, now: f.time(32))
            try expectEqual(late.applied, 0)
            try expectEqual(try await store.batchForDelivery(batch.id)?.counts.bounced, 1)
            let recipient = try await store.recipients(of: batch.id, in: seed.workspace.id, status: nil, page: PageRequest(limit: 1)).items[0]
            let timeline = try await store.events(of: recipient.id, batch: batch.id, in: seed.workspace.id)
            try expectEqual(timeline?.map(\.eventID), ["e1", "e2"], "oldest first")
            try expectEqual(timeline?.map(\.effect), [.superseded, .applied])
        },
        Case("an event before the send's outcome waits and applies when the outcome is recorded") { store, f in
            let seed = try await f.seed(store)
            let batch = try await queued(store, f, seed, ["a@example.com"])
            let claimed = try await store.claim(sendConfig: seed.sendConfig.id, limit: 1, now: f.time(11), leaseDuration: 30)
            let early = try await store.recordEvents([event("e1", "m-early", .delivered, at: 12, f)], for: seed.sendConfig, now: f.time(12))
            try expectEqual(early.pending, 1)
            try expectEqual(try await store.batchForDelivery(batch.id)?.counts.sending, 1)
            let done = try await complete(store, claimed[0], .sent(providerMessageID: "m-early"), at: f.time(13))
            try expectEqual(done.completedBatches, [batch.id])
            let after = try await store.batchForDelivery(batch.id)
            try expectEqual(after?.counts.delivered, 1)
            try expectEqual(after?.counts.sent, 0)
            let timeline = try await store.events(of: claimed[0].recipientID, batch: batch.id, in: seed.workspace.id)
            try expectEqual(timeline?.map(\.effect), [.applied])
        },
        Case("pending events that never matched are pruned, matched ones kept") { store, f in
            let seed = try await f.seed(store)
            _ = try await sent(store, f, seed, ["a@example.com"])
            _ = try await store.recordEvents([
                event("e1", "m-a@example.com", .delivered, f), event("e2", "m-unknown", .delivered, f),
            ], for: seed.sendConfig, now: f.time(20))
            _ = try await store.recordEvents([event("e3", "m-later", .delivered, f)], for: seed.sendConfig, now: f.time(40))
            try expectEqual(try await store.prunePendingEvents(receivedBefore: f.time(30)), 1)
            let again = try await store.recordEvents([event("e2", "m-unknown", .delivered, f), event("e1", "m-a@example.com", .delivered, f)],
                                                     for: seed.sendConfig, now: f.time(41))
            try expectEqual(again.recorded, 1, "the pruned event is new again")
            try expectEqual(again.duplicates, 1, "the matched one is kept")
        },
        Case("events match only recipients of the send config's own batches") { store, f in
            let seed = try await f.seed(store)
            _ = try await sent(store, f, seed, ["a@example.com"])
            let other = f.sendConfig(in: seed.workspace.id, name: "Other")
            try await store.insertSendConfig(other)
            let report = try await store.recordEvents([event("e1", "m-a@example.com", .delivered, f)], for: other, now: f.time(21))
            try expectEqual(report.pending, 1)
            try expectEqual(report.applied, 0)
        },
        Case("opens and clicks are recorded and counted once per recipient") { store, f in
            let seed = try await f.seed(store)
            let batch = try await sent(store, f, seed, ["a@example.com", "b@example.com"])
            _ = try await store.recordEvents([
                event("o1", "m-a@example.com", .opened, f), event("o2", "m-a@example.com", .opened, at: 25, f),
                event("o3", "m-b@example.com", .opened, f), event("c1", "m-a@example.com", .clicked, f),
            ], for: seed.sendConfig, now: f.time(26))
            let stored = try await store.batchForDelivery(batch.id)
            try expectEqual(stored?.opened, 2)
            try expectEqual(stored?.clicked, 1)
            try expectEqual(stored?.counts.sent, 2, "engagement does not change a status")
        },
        Case("a recipient key finds its recipient whatever the message id") { store, f in
            let seed = try await f.seed(store)
            let batch = try await sent(store, f, seed, ["a@example.com"])
            let recipient = try await store.recipients(of: batch.id, in: seed.workspace.id, status: nil, page: PageRequest(limit: 1)).items[0]
            let key = "msg_\(batch.id.rawValue.split(separator: "_").last!)_\(recipient.id.row!)"
            var keyed = event("e1", "part-2-id", .delivered, f)
            keyed.recipientKey = key
            let report = try await store.recordEvents([keyed], for: seed.sendConfig, now: f.time(21))
            try expectEqual(report.applied, 1)
            try expectEqual(try await store.events(of: recipient.id, batch: batch.id, in: f.id()), nil,
                            "another workspace sees no timeline")
        },
    ]
}
