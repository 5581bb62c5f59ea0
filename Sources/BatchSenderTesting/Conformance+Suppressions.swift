import BatchSenderCore
import BatchSenderStore
import Foundation

extension StoreConformance {
    static let suppressionCases: [Case] = [
        Case("suppressions: add, existing entry unchanged, lookup, remove") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let entry = f.suppression("a@example.com", in: wsID, reason: .bounce)
            let (added, created) = try await store.addSuppression(entry)
            try expectEqual(added, entry)
            try expectEqual(created, true)
            var again = f.suppression("a@example.com", in: wsID, reason: .manual)
            again.createdAt = f.time(50)
            let (existing, createdAgain) = try await store.addSuppression(again)
            try expectEqual(existing, entry, "existing entry returned unchanged")
            try expectEqual(createdAgain, false)
            try expectEqual(try await store.suppression("a@example.com", in: wsID), entry)
            try expectEqual(try await store.suppression("b@example.com", in: wsID), nil)
            try expectEqual(try await store.removeSuppression("a@example.com", in: wsID), true)
            try expectEqual(try await store.removeSuppression("a@example.com", in: wsID), false, "removed twice")
            try expectEqual(try await store.suppression("a@example.com", in: wsID), nil)
        },
        Case("suppressions are isolated by workspace") { store, f in
            let a = try await f.seed(store, slug: "a")
            let b = try await f.seed(store, slug: "b")
            let entry = f.suppression("x@example.com", in: a.workspace.id)
            _ = try await store.addSuppression(entry)
            try expectEqual(try await store.suppression("x@example.com", in: b.workspace.id), nil)
            try expectEqual(try await store.removeSuppression("x@example.com", in: b.workspace.id), false)
            try expectEqual(try await store.suppressions(in: b.workspace.id, page: PageRequest()).items, [])
            try await expectStoreError(.invalidCursor, "other workspace's address as cursor") {
                try await store.suppressions(in: b.workspace.id, page: PageRequest(after: "x@example.com"))
            }
            let (copy, created) = try await store.addSuppression(f.suppression("x@example.com", in: b.workspace.id))
            try expectEqual(created, true, "same address in another workspace is new")
            try expectEqual(copy.workspaceID, b.workspace.id)
            try expectEqual(try await store.suppression("x@example.com", in: a.workspace.id), entry)
        },
        Case("suppressions page by address") { store, f in
            let seed = try await f.seed(store)
            let addresses = ["m@example.com", "+4915112345678", "a@example.com", "z@example.com", "https://h.example/x", "B@x.io"]
            for address in addresses {
                _ = try await store.addSuppression(f.suppression(address, in: seed.workspace.id))
            }
            let sorted = addresses.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let expected = sorted.map { f.suppression($0, in: seed.workspace.id) }
            try await expectPaging(expected, key: \.address) { page in
                try await store.suppressions(in: seed.workspace.id, page: page)
            }
        },
    ]

    static let idempotencyCases: [Case] = [
        Case("idempotency: claim, in progress, mismatch, complete, replay") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let day: TimeInterval = 86_400
            try expectEqual(try await store.claimIdempotencyKey("k1", in: wsID, requestHash: "h1", at: f.time(0), expiry: day), .claimed)
            try expectEqual(try await store.claimIdempotencyKey("k1", in: wsID, requestHash: "h1", at: f.time(1), expiry: day), .inProgress)
            try expectEqual(try await store.claimIdempotencyKey("k1", in: wsID, requestHash: "h2", at: f.time(1), expiry: day), .mismatch)
            let response = IdempotentResponse(status: 201, contentType: "application/json", body: Data(#"{"id":"x"}"#.utf8))
            try await store.completeIdempotencyKey("k1", in: wsID, response: response)
            try expectEqual(try await store.claimIdempotencyKey("k1", in: wsID, requestHash: "h1", at: f.time(2), expiry: day), .replay(response))
            try expectEqual(try await store.claimIdempotencyKey("k1", in: wsID, requestHash: "h2", at: f.time(2), expiry: day), .mismatch)
            try await store.releaseIdempotencyKey("k1", in: wsID)
            try expectEqual(
                try await store.claimIdempotencyKey("k1", in: wsID, requestHash: "h1", at: f.time(3), expiry: day), .replay(response),
                "release keeps a completed record")
            let empty = IdempotentResponse(status: 204, contentType: "text/plain", body: Data())
            try expectEqual(try await store.claimIdempotencyKey("k2", in: wsID, requestHash: "h1", at: f.time(4), expiry: day), .claimed)
            try await store.completeIdempotencyKey("k2", in: wsID, response: empty)
            try expectEqual(try await store.claimIdempotencyKey("k2", in: wsID, requestHash: "h1", at: f.time(5), expiry: day), .replay(empty))
        },
        Case("idempotency: release forgets an unfinished claim") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            try expectEqual(try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h1", at: f.time(0), expiry: 60), .claimed)
            try await store.releaseIdempotencyKey("k", in: wsID)
            try expectEqual(try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h2", at: f.time(1), expiry: 60), .claimed)
            try expectEqual(try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h2", at: f.time(2), expiry: 60), .inProgress)
        },
        Case("idempotency: expired records are replaced") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            let response = IdempotentResponse(status: 201, contentType: "application/json", body: Data("{}".utf8))
            try expectEqual(try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h1", at: f.time(0), expiry: 60), .claimed)
            try await store.completeIdempotencyKey("k", in: wsID, response: response)
            try expectEqual(
                try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h1", at: f.time(60), expiry: 60), .replay(response),
                "exactly expiry old still counts")
            try expectEqual(try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h2", at: f.time(61), expiry: 60), .claimed)
            try expectEqual(try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h2", at: f.time(62), expiry: 60), .inProgress)
            try expectEqual(try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h1", at: f.time(62), expiry: 60), .mismatch)
            // An unfinished claim expires too (a crashed request does not block the key forever).
            try expectEqual(try await store.claimIdempotencyKey("k", in: wsID, requestHash: "h3", at: f.time(200), expiry: 60), .claimed)
        },
        Case("idempotency: an abandoned claim is taken over after the in-progress deadline, a finished one is not") { store, f in
            let wsID = try await f.seed(store).workspace.id
            let day = IdempotencyWindow.duration
            let deadline = IdempotencyWindow.inProgressDeadline
            let response = IdempotentResponse(status: 201, contentType: "application/json", body: Data("{}".utf8))
            // "crashed": claimed by a process that died before completing or releasing it.
            try expectEqual(try await store.claimIdempotencyKey("crashed", in: wsID, requestHash: "h1", at: f.time(0), expiry: day), .claimed)
            try expectEqual(
                try await store.claimIdempotencyKey("crashed", in: wsID, requestHash: "h1", at: f.time(deadline), expiry: day),
                .inProgress, "exactly the deadline old still counts")
            try expectEqual(
                try await store.claimIdempotencyKey("crashed", in: wsID, requestHash: "h1", at: f.time(deadline + 1), expiry: day),
                .claimed, "a retry takes the abandoned claim over instead of a 409 for a day")
            try expectEqual(
                try await store.claimIdempotencyKey("crashed", in: wsID, requestHash: "h1", at: f.time(deadline + 2), expiry: day),
                .inProgress, "the new claim is live: one taker only")
            try await store.completeIdempotencyKey("crashed", in: wsID, response: response)
            try expectEqual(
                try await store.claimIdempotencyKey("crashed", in: wsID, requestHash: "h1", at: f.time(3 * deadline), expiry: day),
                .replay(response), "a finished record lasts the whole window")
        },
        Case("idempotency keys are isolated by workspace") { store, f in
            let a = try await f.seed(store, slug: "a")
            let b = try await f.seed(store, slug: "b")
            let response = IdempotentResponse(status: 201, contentType: "application/json", body: Data("{}".utf8))
            try expectEqual(try await store.claimIdempotencyKey("k", in: a.workspace.id, requestHash: "h", at: f.time(0), expiry: 60), .claimed)
            try await store.completeIdempotencyKey("k", in: a.workspace.id, response: response)
            try expectEqual(try await store.claimIdempotencyKey("k", in: b.workspace.id, requestHash: "other", at: f.time(1), expiry: 60), .claimed)
            try await store.releaseIdempotencyKey("k", in: b.workspace.id)
            try expectEqual(try await store.claimIdempotencyKey("k", in: a.workspace.id, requestHash: "h", at: f.time(2), expiry: 60), .replay(response))
        },
        Case("idempotency: purge deletes the records created before the date, finished or not") { store, f in
            let wsID = try await f.seed(store).workspace.id
            let week: TimeInterval = 7 * 86_400
            let response = IdempotentResponse(status: 201, contentType: "application/json", body: Data("{}".utf8))
            func claim(_ key: String, at seconds: Double) async throws -> IdempotencyClaim {
                try await store.claimIdempotencyKey(key, in: wsID, requestHash: "h", at: f.time(seconds), expiry: week)
            }
            try expectEqual(try await claim("done", at: 0), .claimed)
            try await store.completeIdempotencyKey("done", in: wsID, response: response)
            try expectEqual(try await claim("open", at: 1), .claimed)
            try expectEqual(try await claim("young", at: 10), .claimed)
            try await store.completeIdempotencyKey("young", in: wsID, response: response)
            try expectEqual(try await store.purgeIdempotencyKeys(createdBefore: f.time(10)), 2)
            try expectEqual(try await store.purgeIdempotencyKeys(createdBefore: f.time(10)), 0, "purged once")
            // Within a week's expiry a kept record replays, and a purged one is claimed afresh.
            try expectEqual(try await claim("done", at: 11), .claimed)
            try expectEqual(try await claim("open", at: 11), .claimed)
            try expectEqual(try await claim("young", at: 11), .replay(response))
        },
    ]
}
