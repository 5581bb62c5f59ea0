import BatchSenderCore
import BatchSenderStore
import Foundation

extension StoreConformance {
    static let sendConfigCases: [Case] = [
        Case("send config round trip and update") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            try expectEqual(try await store.sendConfig(seed.sendConfig.id, in: wsID), seed.sendConfig, "stored as given")
            var changed = seed.sendConfig
            changed.name = "Renamed"
            changed.settings = ["baseUrl": "http://127.0.0.1:9"]
            changed.credentialHints = [:]
            changed.sealedCredentials = Data([9, 9])
            changed.rateLimit = nil
            changed.maxConcurrency = nil
            changed.updatedAt = f.time(30)
            try await store.updateSendConfig(changed)
            try expectEqual(try await store.sendConfig(changed.id, in: wsID), changed, "updated")
            var burstless = changed
            burstless.rateLimit = RateLimit(perSecond: 0.25)
            try await store.updateSendConfig(burstless)
            try expectEqual(try await store.sendConfig(changed.id, in: wsID), burstless, "rate limit without burst")
            try await expectStoreError(.notFound, "update of an absent config") {
                try await store.updateSendConfig(f.sendConfig(in: wsID))
            }
            try await expectStoreError(.conflict, "duplicate id") { try await store.insertSendConfig(changed) }
            try await expectStoreError(.notFound, "unknown workspace") {
                try await store.insertSendConfig(f.sendConfig(in: f.id()))
            }
        },
        Case("send configs are isolated by workspace") { store, f in
            let a = try await f.seed(store, slug: "a")
            let b = try await f.seed(store, slug: "b")
            try expectEqual(try await store.sendConfig(a.sendConfig.id, in: b.workspace.id), nil)
            var moved = a.sendConfig
            moved.workspaceID = b.workspace.id
            moved.name = "hijack"
            try await expectStoreError(.notFound, "update via another workspace") { try await store.updateSendConfig(moved) }
            try await expectStoreError(.notFound, "delete via another workspace") {
                try await store.deleteSendConfig(a.sendConfig.id, in: b.workspace.id)
            }
            try expectEqual(try await store.sendConfig(a.sendConfig.id, in: a.workspace.id), a.sendConfig, "untouched")
            try expectEqual(try await store.sendConfigs(in: b.workspace.id, page: PageRequest()).items, [b.sendConfig])
        },
        Case("send configs page newest first") { store, f in
            let seed = try await f.seed(store)
            var configs = [seed.sendConfig]
            for i in 0..<4 {
                let config = f.sendConfig(in: seed.workspace.id, module: Module.allCases[i], name: "c\(i)")
                try await store.insertSendConfig(config)
                configs.append(config)
            }
            try await expectPaging(Array(configs.reversed()), key: \.id.rawValue) { page in
                try await store.sendConfigs(in: seed.workspace.id, page: page)
            }
        },
        Case("delete send config: absent, in use, finished batches") { store, f in
            let seed = try await f.seed(store)
            let wsID = seed.workspace.id
            try await expectStoreError(.notFound, "absent") { try await store.deleteSendConfig(f.id(), in: wsID) }
            let batch = try await f.draft(store, seed, ["a@example.com"])
            try await expectStoreError(.conflict, "draft batch uses it") {
                try await store.deleteSendConfig(seed.sendConfig.id, in: wsID)
            }
            _ = try await store.apply(.send, to: batch.id, in: wsID, at: f.time(10))
            try await expectStoreError(.conflict, "queued batch uses it") {
                try await store.deleteSendConfig(seed.sendConfig.id, in: wsID)
            }
            _ = try await store.apply(.pause, to: batch.id, in: wsID, at: f.time(11))
            try await expectStoreError(.conflict, "paused batch uses it") {
                try await store.deleteSendConfig(seed.sendConfig.id, in: wsID)
            }
            let cancelled = try await store.apply(.cancel, to: batch.id, in: wsID, at: f.time(12))
            try expectEqual(cancelled.status, .cancelled)
            try await store.deleteSendConfig(seed.sendConfig.id, in: wsID)
            try expectEqual(try await store.sendConfig(seed.sendConfig.id, in: wsID), nil, "deleted")
            try expectEqual(try await store.batch(batch.id, in: wsID)?.status, .cancelled, "batch outlives its config")
            try await expectStoreError(.notFound, "deleted twice") {
                try await store.deleteSendConfig(seed.sendConfig.id, in: wsID)
            }
        },
        Case("unused send config can be deleted") { store, f in
            let seed = try await f.seed(store)
            let other = f.sendConfig(in: seed.workspace.id, name: "other")
            try await store.insertSendConfig(other)
            _ = try await f.draft(store, seed, ["a@example.com"])
            try await store.deleteSendConfig(other.id, in: seed.workspace.id)
            try expectEqual(
                try await store.sendConfigs(in: seed.workspace.id, page: PageRequest()).items, [seed.sendConfig])
        },
    ]
}
