/// Failures of the PostgreSQL driver itself (not expected conditions, which are `StoreError`s).
public enum PostgresStoreError: Error, Hashable, Sendable {
    /// Some migrations are not applied: run `batchsender migrate`.
    case notMigrated
    /// The database did not answer in time (down, restarting, or the network is cut).
    case unreachable
    /// A stored value could not be read back (a column is NULL or malformed).
    case corruptRow(String)
    /// The operation belongs to a later increment of the driver.
    case notImplemented(String)
}
