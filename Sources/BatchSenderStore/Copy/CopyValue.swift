import Foundation

/// One value on its way from one database to another, typed independently of either driver.
/// JSON travels as `.text` (its serialized form); each driver stores it as its JSON type.
public enum CopyValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case boolean(Bool)
    case time(Date)
    case bytes(Data)
}

/// A value that does not fit its column's kind: a corrupt row or a schema this binary does not
/// know. Names the place, never the value (it may be a credential or an address).
public struct CopyValueError: Error, CustomStringConvertible, Equatable {
    public var table: String
    public var column: String
    public var expected: CopyColumn.Kind

    public init(table: String, column: String, expected: CopyColumn.Kind) {
        self.table = table
        self.column = column
        self.expected = expected
    }

    public var description: String { "\(table).\(column) holds a value that is not \(expected)" }
}
