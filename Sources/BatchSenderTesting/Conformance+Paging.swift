import BatchSenderStore

extension StoreConformance {
    /// Checks a list against `expected` (the whole list, in order) for every page size: pages hold
    /// `limit` items, `nextAfter` is the last item's key exactly when more follow, following the
    /// cursors yields every item once, and an unknown cursor is `invalidCursor`.
    static func expectPaging<Item: Sendable & Equatable>(
        _ expected: [Item], key: (Item) -> String, fileID: String = #fileID, line: Int = #line,
        fetch: (PageRequest) async throws -> Page<Item>
    ) async throws {
        for limit in 1...(expected.count + 1) {
            var collected: [Item] = []
            var after: String?
            var pages = 0
            repeat {
                let page = try await fetch(PageRequest(limit: limit, after: after))
                pages += 1
                try expectTrue(page.items.count <= limit, "page of limit \(limit) has \(page.items.count) items")
                collected += page.items
                let more = collected.count < expected.count
                try expectEqual(
                    page.nextAfter, more ? page.items.last.map(key) : nil, "nextAfter (limit \(limit), page \(pages))",
                    fileID: fileID, line: line)
                after = page.nextAfter
                try expectTrue(pages <= expected.count + 1, "paging with limit \(limit) does not end")
            } while after != nil
            try expectEqual(collected, expected, "items paged with limit \(limit)", fileID: fileID, line: line)
        }
        try await expectStoreError(.invalidCursor, "unknown cursor", fileID: fileID, line: line) {
            try await fetch(PageRequest(limit: 2, after: "unknown_cursor"))
        }
    }
}
