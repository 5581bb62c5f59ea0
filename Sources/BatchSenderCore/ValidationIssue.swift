/// One problem with a request's input, located by field, array index or CSV row
/// (the `errors` entries of a problem response, CONTRACT §2).
public struct ValidationIssue: Error, Hashable, Sendable, Codable {
    public var field: String?
    public var index: Int?
    public var row: Int?
    public var message: String

    public init(field: String? = nil, index: Int? = nil, row: Int? = nil, message: String) {
        self.field = field
        self.index = index
        self.row = row
        self.message = message
    }
}
