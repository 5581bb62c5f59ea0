import BatchSenderCore
import BatchSenderStore
import Foundation

extension StoreConformance {
    static let userCases: [Case] = [
        Case("api key scopes round-trip in order") { store, f in
            let seed = try await f.seed(store)
            let scoped = f.apiKey(in: seed.workspace.id, name: "reporting", scopes: [.read, .send])
            let plain = f.apiKey(in: seed.workspace.id, name: "default")
            try await store.insertAPIKey(scoped, by: f.change)
            try await store.insertAPIKey(plain, by: f.change)
            try expectEqual(try await store.apiKey(secretHash: scoped.secretHash)?.scopes, [.read, .send], "lookup")
            try expectEqual(try await store.apiKey(secretHash: plain.secretHash)?.scopes, [.admin], "default scope")
            let listed = try await store.apiKeys(in: seed.workspace.id, page: PageRequest()).items
            try expectEqual(listed, [plain, scoped], "listed with scopes")
        },
        Case("users are stored and found by id and by email, case-insensitively") { store, f in
            let seed = try await f.seed(store)
            let ann = f.user(in: seed.workspace.id, email: "Ann.Smith@Example.COM", role: .admin)
            try await store.insertUser(ann, by: f.change)
            try expectEqual(try await store.user(ann.id, in: seed.workspace.id), ann, "by id")
            try expectEqual(try await store.user(email: "ann.smith@example.com"), ann, "by lowercased email")
            try expectEqual(try await store.user(email: "ANN.SMITH@EXAMPLE.COM"), ann, "by uppercased email")
            try expectEqual(try await store.user(email: "bob@example.com"), nil, "unknown email")
            try expectEqual(try await store.user(f.id(), in: seed.workspace.id), nil, "unknown id")
        },
        Case("user emails are unique across workspaces, case-insensitively") { store, f in
            let a = try await f.seed(store, slug: "a")
            let b = try await f.seed(store, slug: "b")
            try await store.insertUser(f.user(in: a.workspace.id, email: "ann@example.com"), by: f.change)
            try await expectStoreError(.conflict, "same email, other case") {
                try await store.insertUser(f.user(in: a.workspace.id, email: "ANN@example.com"), by: f.change)
            }
            try await expectStoreError(.conflict, "same email, other workspace") {
                try await store.insertUser(f.user(in: b.workspace.id, email: "Ann@Example.com"), by: f.change)
            }
            try await expectStoreError(.notFound, "unknown workspace") {
                try await store.insertUser(f.user(in: f.id(), email: "new@example.com"), by: f.change)
            }
            try expectEqual(try await store.users(in: b.workspace.id, page: PageRequest()).items, [], "nothing stored in b")
        },
        Case("users are isolated by workspace") { store, f in
            let a = try await f.seed(store, slug: "a")
            let b = try await f.seed(store, slug: "b")
            let ann = f.user(in: a.workspace.id, email: "ann@example.com")
            try await store.insertUser(ann, by: f.change)
            try expectEqual(try await store.user(ann.id, in: b.workspace.id), nil, "not visible in b")
            try expectEqual(try await store.deleteUser(ann.id, in: b.workspace.id, by: f.change), false, "not deletable from b")
            var moved = ann
            moved.workspaceID = b.workspace.id
            moved.role = .admin
            try await expectStoreError(.notFound, "not updatable from b") { try await store.updateUser(moved, by: f.change) }
            try expectEqual(try await store.user(ann.id, in: a.workspace.id), ann, "unchanged")
            try await expectStoreError(.invalidCursor, "other workspace's user as cursor") {
                try await store.users(in: b.workspace.id, page: PageRequest(after: ann.id.rawValue))
            }
        },
        Case("updating a user changes role, password hash and updatedAt only") { store, f in
            let seed = try await f.seed(store)
            let ann = f.user(in: seed.workspace.id, email: "ann@example.com", role: .viewer)
            try await store.insertUser(ann, by: f.change)
            var changed = ann
            changed.role = .member
            changed.passwordHash = "$2b$04$" + String(repeating: "y", count: 53)
            changed.updatedAt = f.time(30)
            changed.email = "other@example.com"
            changed.createdAt = f.time(99)
            try await store.updateUser(changed, by: f.change)
            var expected = ann
            expected.role = .member
            expected.passwordHash = changed.passwordHash
            expected.updatedAt = f.time(30)
            try expectEqual(try await store.user(ann.id, in: seed.workspace.id), expected)
            try expectEqual(try await store.user(email: "ann@example.com"), expected, "still found by its email")
            try await expectStoreError(.notFound, "unknown user") {
                try await store.updateUser(f.user(in: seed.workspace.id, email: "x@example.com"), by: f.change)
            }
        },
        Case("deleting a user frees its email") { store, f in
            let seed = try await f.seed(store)
            let ann = f.user(in: seed.workspace.id, email: "ann@example.com")
            try await store.insertUser(ann, by: f.change)
            try expectEqual(try await store.deleteUser(ann.id, in: seed.workspace.id, by: f.change), true)
            try expectEqual(try await store.deleteUser(ann.id, in: seed.workspace.id, by: f.change), false, "twice")
            try expectEqual(try await store.user(email: "ann@example.com"), nil, "gone")
            let again = f.user(in: seed.workspace.id, email: "ANN@example.com")
            try await store.insertUser(again, by: f.change)
            try expectEqual(try await store.user(email: "ann@example.com"), again, "email reusable")
        },
        Case("users page newest first") { store, f in
            let seed = try await f.seed(store)
            var users: [User] = []
            for i in 0..<5 {
                let user = f.user(in: seed.workspace.id, email: "u\(i)@example.com", role: UserRole.allCases[i % 3])
                try await store.insertUser(user, by: f.change)
                users.append(user)
            }
            try await expectPaging(Array(users.reversed()), key: \.id.rawValue) { page in
                try await store.users(in: seed.workspace.id, page: page)
            }
        },
        Case("concurrent inserts of one email: exactly one wins") { store, f in
            let seed = try await f.seed(store)
            let attempts = (0..<6).map { i in f.user(in: seed.workspace.id, email: i % 2 == 0 ? "race@example.com" : "RACE@example.com") }
            let won = try await withThrowingTaskGroup(of: Bool.self) { group in
                for user in attempts {
                    group.addTask {
                        do {
                            try await store.insertUser(user, by: f.change)
                            return true
                        } catch StoreError.conflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            try expectEqual(won, 1, "winners")
        },
    ]
}
