import BatchSenderCore
import BatchSenderStore
import Foundation

extension StoreConformance {
    static let batchCases: [Case] = [
        Case("createBatch stores dupes once and suppressed as suppressed") { store, f in
            let seed = try await f.seed(store)
            let other = try await f.seed(store, slug: "other")
            _ = try await store.addSuppression(f.suppression("blocked@example.com", in: seed.workspace.id))
            // Suppressed in another workspace only: must stay pending here.
            _ = try await store.addSuppression(f.suppression("c@example.com", in: other.workspace.id))
            var input = f.batch(for: seed.sendConfig)
            input.counts.sent = 99  // ignored: counts are derived
            let addresses = ["Ann@Example.com", "b@example.com", "ann@example.com", "BLOCKED@example.com", "c@example.com"]
            let newRecipients = f.recipients(addresses)
            let (batch, result) = try await store.createBatch(input, recipients: newRecipients)
            try expectEqual(result, RecipientAddResult(added: 4, duplicates: 1, suppressed: 1, total: 4), "result")
            var counts = RecipientCounts()
            counts.pending = 3
            counts.suppressed = 1
            try expectEqual(batch.counts, counts, "counts")
            var expectedBatch = input
            expectedBatch.counts = counts
            try expectEqual(batch, expectedBatch, "returned batch")
            try expectEqual(try await store.batch(batch.id, in: seed.workspace.id), expectedBatch, "stored batch")
            let page = try await store.recipients(of: batch.id, in: seed.workspace.id, status: nil, page: PageRequest())
            try expectEqual(page.items.map(\.to), ["Ann@Example.com", "b@example.com", "BLOCKED@example.com", "c@example.com"])
            try expectEqual(page.items.map(\.status), [.pending, .pending, .suppressed, .pending])
            try expectEqual(page.items[0].variables, newRecipients[0].variables, "first occurrence wins")
            try expectEqual(page.items[1].variables, newRecipients[1].variables, "variables round trip")
            for recipient in page.items {
                try expectEqual(recipient.batchID, batch.id)
                try expectEqual(recipient.attempts, 0)
                try expectEqual(recipient.updatedAt, input.createdAt)
                try expectTrue(recipient.id.row != nil, "recipient id \(recipient.id) is rcp_<row>")
            }
            let rows = page.items.compactMap(\.id.row)
            try expectEqual(rows, rows.sorted(), "insertion order")
        },
        Case("createBatch without recipients and with an unknown send config") { store, f in
            let seed = try await f.seed(store)
            let other = try await f.seed(store, slug: "other")
            let (empty, result) = try await store.createBatch(f.batch(for: seed.sendConfig), recipients: [])
            try expectEqual(result, RecipientAddResult(), "empty result")
            try expectEqual(empty.counts.total, 0)
            var orphan = f.batch(for: seed.sendConfig)
            orphan.sendConfigID = f.id()
            try await expectStoreError(.notFound, "unknown config") { try await store.createBatch(orphan, recipients: []) }
            var foreign = f.batch(for: other.sendConfig)
            foreign.workspaceID = seed.workspace.id
            try await expectStoreError(.notFound, "another workspace's config") {
                try await store.createBatch(foreign, recipients: f.recipients(["a@example.com"]))
            }
            try expectEqual(try await store.batch(foreign.id, in: seed.workspace.id), nil, "nothing stored")
        },
        Case("batches are isolated by workspace") { store, f in
            let a = try await f.seed(store, slug: "a")
            let b = try await f.seed(store, slug: "b")
            let batch = try await f.draft(store, a, ["x@example.com"])
            let otherWS = b.workspace.id
            try expectEqual(try await store.batch(batch.id, in: otherWS), nil)
            try expectEqual(try await store.batches(in: otherWS, filter: BatchFilter(), page: PageRequest()).items, [])
            try await expectStoreError(.notFound, "apply") {
                try await store.apply(.send, to: batch.id, in: otherWS, at: f.time(5))
            }
            try await expectStoreError(.notFound, "recipients") {
                try await store.recipients(of: batch.id, in: otherWS, status: nil, page: PageRequest())
            }
            try await expectStoreError(.notFound, "addRecipients") {
                try await store.addRecipients(
                    to: batch.id, in: otherWS, chunks: Fixtures.stream([f.recipients(["y@example.com"])]),
                    maxRecipients: 10, at: f.time(5))
            }
            try expectEqual(try await store.batch(batch.id, in: a.workspace.id)?.counts.total, 1, "untouched")
            try expectEqual(try await store.batch(batch.id, in: a.workspace.id)?.status, .draft, "untouched")
        },
        Case("batches page newest first with filters") { store, f in
            let seed = try await f.seed(store)
            let sms = f.sendConfig(in: seed.workspace.id, module: .sms)
            try await store.insertSendConfig(sms)
            var all: [Batch] = []
            for i in 0..<5 {
                let config = i == 3 ? sms : seed.sendConfig
                let recipients = config.module == .sms ? f.recipients(["+4915112345678"], module: .sms) : f.recipients(["a@example.com"])
                all.append(try await store.createBatch(f.batch(for: config, name: "b\(i)"), recipients: recipients).0)
            }
            all[1] = try await store.apply(.send, to: all[1].id, in: seed.workspace.id, at: f.time(10))
            all[4] = try await store.apply(.cancel, to: all[4].id, in: seed.workspace.id, at: f.time(11))
            let wsID = seed.workspace.id
            try await expectPaging(Array(all.reversed()), key: \.id.rawValue) { page in
                try await store.batches(in: wsID, filter: BatchFilter(), page: page)
            }
            try await expectPaging([all[3], all[2], all[0]], key: \.id.rawValue) { page in
                try await store.batches(in: wsID, filter: BatchFilter(status: .draft), page: page)
            }
            try await expectPaging([all[3]], key: \.id.rawValue) { page in
                try await store.batches(in: wsID, filter: BatchFilter(module: .sms), page: page)
            }
            try await expectPaging([all[2], all[0]], key: \.id.rawValue) { page in
                try await store.batches(in: wsID, filter: BatchFilter(status: .draft, module: .email), page: page)
            }
            let queued = try await store.batches(in: wsID, filter: BatchFilter(status: .queued), page: PageRequest())
            try expectEqual(queued.items, [all[1]])
        },
        Case("recipients page in insertion order with a status filter") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            _ = try await store.addSuppression(f.suppression("s1@example.com", in: wsID))
            _ = try await store.addSuppression(f.suppression("s2@example.com", in: wsID))
            let addresses = ["a@example.com", "s1@example.com", "b@example.com", "s2@example.com", "c@example.com"]
            let batch = try await f.draft(store, seed, addresses)
            let all = try await store.recipients(of: batch.id, in: wsID, status: nil, page: PageRequest(limit: 500)).items
            try expectEqual(all.map(\.to), addresses)
            try await expectPaging(all, key: \.id.rawValue) { page in
                try await store.recipients(of: batch.id, in: wsID, status: nil, page: page)
            }
            let suppressed = all.filter { $0.status == .suppressed }
            try expectEqual(suppressed.map(\.to), ["s1@example.com", "s2@example.com"])
            try await expectPaging(suppressed, key: \.id.rawValue) { page in
                try await store.recipients(of: batch.id, in: wsID, status: .suppressed, page: page)
            }
            // A cursor naming a recipient of the batch in another status is still valid.
            let afterFirst = try await store.recipients(
                of: batch.id, in: wsID, status: .suppressed, page: PageRequest(limit: 5, after: all[0].id.rawValue))
            try expectEqual(afterFirst.items, suppressed)
            let none = try await store.recipients(of: batch.id, in: wsID, status: .sent, page: PageRequest())
            try expectEqual(none.items, [])
            try expectEqual(none.nextAfter, nil)
            let other = try await f.draft(store, seed, ["z@example.com"])
            let foreign = try await store.recipients(of: other.id, in: wsID, status: nil, page: PageRequest()).items[0]
            for cursor in [foreign.id.rawValue, "rcp_x", "rcp_0", "rcp_999999", batch.id.rawValue] {
                try await expectStoreError(.invalidCursor, "cursor \(cursor)") {
                    try await store.recipients(of: batch.id, in: wsID, status: nil, page: PageRequest(after: cursor))
                }
            }
            try await expectStoreError(.notFound, "unknown batch") {
                try await store.recipients(of: f.id(), in: wsID, status: nil, page: PageRequest())
            }
        },
    ]
}
