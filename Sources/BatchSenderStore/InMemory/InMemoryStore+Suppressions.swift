import BatchSenderCore
import Foundation

extension InMemoryStore {
    public func addSuppression(_ suppression: Suppression) async throws -> (Suppression, created: Bool) {
        if let existing = suppressions[suppression.workspaceID]?[suppression.address] { return (existing, false) }
        suppressions[suppression.workspaceID, default: [:]][suppression.address] = suppression
        return (suppression, true)
    }

    public func suppression(_ address: String, in workspace: Workspace.ID) async throws -> Suppression? {
        suppressions[workspace]?[address]
    }

    public func suppressions(in workspace: Workspace.ID, page: PageRequest) async throws -> Page<Suppression> {
        let listed = suppressions[workspace] ?? [:]
        try ArrayPaging.requireCursor(page.after) { listed[$0] != nil }
        // SQLite compares TEXT bytewise (BINARY collation); Swift's `<` on String does not, so
        // compare UTF-8 bytes to list in the same order.
        let sorted = listed.values.sorted { Self.binaryLess($0.address, $1.address) }
        return ArrayPaging.page(sorted, page: page, key: \.address) { Self.binaryLess($1, $0.address) }
    }

    public func removeSuppression(_ address: String, in workspace: Workspace.ID) async throws -> Bool {
        suppressions[workspace]?.removeValue(forKey: address) != nil
    }

    /// Bytewise UTF-8 order, SQLite's BINARY collation.
    static func binaryLess(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
