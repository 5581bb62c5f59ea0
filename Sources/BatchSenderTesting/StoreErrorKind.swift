import BatchSenderStore

/// The case of a `StoreError`, without its message.
public enum StoreErrorKind: Hashable, Sendable {
    case notFound, conflict, unprocessable, invalidCursor

    public init(_ error: StoreError) {
        switch error {
        case .notFound: self = .notFound
        case .conflict: self = .conflict
        case .unprocessable: self = .unprocessable
        case .invalidCursor: self = .invalidCursor
        }
    }
}
