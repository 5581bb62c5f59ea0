import BatchSenderStore

extension PostgresStore {
    /// A page from rows fetched with `LIMIT page.limit + 1`.
    static func page<Item: Sendable>(_ fetched: [Item], limit: Int, key: (Item) -> String) -> Page<Item> {
        let items = Array(fetched.prefix(limit))
        return Page(items: items, nextAfter: fetched.count > limit ? items.last.map(key) : nil)
    }

    /// The page size to ask for: at least one item.
    static func limit(of page: PageRequest) -> Int { max(page.limit, 1) }
}
