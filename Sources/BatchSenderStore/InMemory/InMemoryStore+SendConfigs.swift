import BatchSenderCore
import Foundation

extension InMemoryStore {
    public func insertSendConfig(_ config: SendConfig) async throws {
        guard workspaces[config.workspaceID] != nil else { throw StoreError.notFound("workspace \(config.workspaceID)") }
        guard sendConfigs[config.id] == nil else { throw StoreError.conflict("send config \(config.id) exists") }
        sendConfigs[config.id] = config
    }

    public func sendConfig(_ id: SendConfig.ID, in workspace: Workspace.ID) async throws -> SendConfig? {
        sendConfigs[id].flatMap { $0.workspaceID == workspace ? $0 : nil }
    }

    public func sendConfigs(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<SendConfig> {
        try ArrayPaging.requireCursor(page.after) {
            sendConfigs[SendConfig.ID(rawValue: $0)]?.workspaceID == workspace
        }
        let sorted = sendConfigs.values.filter { $0.workspaceID == workspace }.sorted { $0.id > $1.id }
        return ArrayPaging.page(sorted, page: page, key: \.id.rawValue) { $0.id.rawValue < $1 }
    }

    public func updateSendConfig(_ config: SendConfig) async throws {
        guard sendConfigs[config.id]?.workspaceID == config.workspaceID else {
            throw StoreError.notFound("send config \(config.id)")
        }
        sendConfigs[config.id] = config
    }

    public func deleteSendConfig(_ id: SendConfig.ID, in workspace: Workspace.ID) async throws {
        guard sendConfigs[id]?.workspaceID == workspace else { throw StoreError.notFound("send config \(id)") }
        if batches.values.contains(where: { $0.sendConfigID == id && BatchStatus.active.contains($0.status) }) {
            throw StoreError.conflict("send config \(id) is used by an active batch")
        }
        sendConfigs[id] = nil
    }
}
