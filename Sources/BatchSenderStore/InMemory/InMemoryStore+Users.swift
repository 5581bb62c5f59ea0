import BatchSenderCore
import Foundation

extension InMemoryStore {
    public func insertUser(_ user: User, by change: ChangeContext) async throws {
        guard workspaces[user.workspaceID] != nil else { throw StoreError.notFound("workspace \(user.workspaceID)") }
        guard users[user.id] == nil else { throw StoreError.conflict("user \(user.id) exists") }
        guard !users.values.contains(where: { $0.normalizedEmail == user.normalizedEmail }) else {
            throw StoreError.conflict("a user with email \(user.email) exists")
        }
        users[user.id] = user
    }

    public func user(_ id: User.ID, in workspace: Workspace.ID) async throws -> User? {
        users[id].flatMap { $0.workspaceID == workspace ? $0 : nil }
    }

    public func user(email: String) async throws -> User? {
        let key = User.normalize(email: email)
        return users.values.first { $0.normalizedEmail == key }
    }

    public func users(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<User> {
        try ArrayPaging.requireCursor(page.after) { users[User.ID(rawValue: $0)]?.workspaceID == workspace }
        let sorted = users.values.filter { $0.workspaceID == workspace }.sorted { $0.id > $1.id }
        return ArrayPaging.page(sorted, page: page, key: \.id.rawValue) { $0.id.rawValue < $1 }
    }

    public func updateUser(_ user: User, by change: ChangeContext) async throws {
        guard var stored = users[user.id], stored.workspaceID == user.workspaceID else {
            throw StoreError.notFound("user \(user.id)")
        }
        stored.role = user.role
        stored.passwordHash = user.passwordHash
        stored.updatedAt = user.updatedAt
        users[user.id] = stored
    }

    public func deleteUser(_ id: User.ID, in workspace: Workspace.ID, by change: ChangeContext) async throws -> Bool {
        guard users[id]?.workspaceID == workspace else { return false }
        users[id] = nil
        return true
    }
}
