/// A page request: at most `limit` items after the item whose sort key is `after`.
public struct PageRequest: Hashable, Sendable {
    public var limit: Int
    /// The sort key of the last item of the previous page (an id, or an address for suppressions).
    public var after: String?

    public init(limit: Int = 50, after: String? = nil) {
        self.limit = limit
        self.after = after
    }
}

/// One page of a list and the key to continue after it (`nil` at the end).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// The sort key of the last item when more items follow, else `nil`.
    public var nextAfter: String?

    public init(items: [Item], nextAfter: String?) {
        self.items = items
        self.nextAfter = nextAfter
    }
}
