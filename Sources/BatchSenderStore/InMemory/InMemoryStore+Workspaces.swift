import BatchSenderCore
import Foundation

extension InMemoryStore {
    public func bootstrap(workspace: Workspace, key: APIKey) async throws -> Bool {
        guard workspaces.isEmpty else { return false }
        guard key.workspaceID == workspace.id else { throw StoreError.notFound("workspace \(key.workspaceID)") }
        workspaces[workspace.id] = workspace
        do {
            try storeAPIKey(key)
        } catch {
            workspaces[workspace.id] = nil  // all or nothing, like the SQL transaction
            throw error
        }
        return true
    }

    public func ensureWorkspace(_ workspace: Workspace) async throws -> Workspace {
        if let existing = workspaces.values.first(where: { $0.slug == workspace.slug }) { return existing }
        guard workspaces[workspace.id] == nil else { throw StoreError.conflict("workspace \(workspace.id) exists") }
        workspaces[workspace.id] = workspace
        return workspace
    }

    public func workspace(id: Workspace.ID) async throws -> Workspace? {
        workspaces[id]
    }

    public func insertAPIKey(_ key: APIKey, by change: ChangeContext) async throws {
        try storeAPIKey(key)
    }

    public func apiKey(secretHash: String) async throws -> APIKey? {
        apiKeys.values.first { $0.secretHash == secretHash }
    }

    public func apiKeys(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<APIKey> {
        try ArrayPaging.requireCursor(page.after) { apiKeys[APIKey.ID(rawValue: $0)]?.workspaceID == workspace }
        let sorted = apiKeys.values.filter { $0.workspaceID == workspace }.sorted { $0.id > $1.id }
        return ArrayPaging.page(sorted, page: page, key: \.id.rawValue) { $0.id.rawValue < $1 }
    }

    public func revokeAPIKey(_ id: APIKey.ID, in workspace: Workspace.ID, at now: Date, by change: ChangeContext)
        async throws -> Bool
    {
        guard var key = apiKeys[id], key.workspaceID == workspace else { return false }
        if key.revokedAt == nil {
            key.revokedAt = now
            apiKeys[id] = key
        }
        return true
    }

    /// Inserts `key` with the constraints the SQL schema enforces.
    private func storeAPIKey(_ key: APIKey) throws {
        guard workspaces[key.workspaceID] != nil else { throw StoreError.notFound("workspace \(key.workspaceID)") }
        guard apiKeys[key.id] == nil, !apiKeys.values.contains(where: { $0.secretHash == key.secretHash }) else {
            throw StoreError.conflict("api key \(key.id) or its secret already exists")
        }
        apiKeys[key.id] = key
    }
}
