/// Pages through an already sorted array the way the SQL drivers page through an index.
enum ArrayPaging {
    /// At most `page.limit` items of `sorted` that come after the cursor, as told by `follows`
    /// (`true` when the item sorts after the cursor key). The caller has validated the cursor.
    static func page<Item: Sendable>(
        _ sorted: [Item], page: PageRequest, key: (Item) -> String, follows: (Item, String) -> Bool
    ) -> Page<Item> {
        let remaining = page.after.map { after in sorted.filter { follows($0, after) } } ?? sorted
        let limit = max(page.limit, 1)
        let items = Array(remaining.prefix(limit))
        return Page(items: items, nextAfter: remaining.count > limit ? items.last.map(key) : nil)
    }

    /// Throws `StoreError.invalidCursor` unless `exists` (CONTRACT §2: an unknown cursor is a
    /// client error, not an empty page).
    static func requireCursor(_ after: String?, exists: (String) -> Bool) throws {
        if let after, !exists(after) { throw StoreError.invalidCursor }
    }
}
