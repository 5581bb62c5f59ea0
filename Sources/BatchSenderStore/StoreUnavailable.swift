/// The database cannot be reached right now (down, restarting, the network cut, no connection
/// free in time): the operation did not happen and may be tried again later.
///
/// Drivers report connection-level failures as this one type, so callers that know no driver
/// can tell an outage from a refused write: the API answers 503 instead of 500, and the delivery
/// engine keeps outcomes and retries them instead of bisecting the batch for a poison row.
public struct StoreUnavailable: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed, for logs (never shown to API clients).
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "store unavailable: \(reason)" }
}
