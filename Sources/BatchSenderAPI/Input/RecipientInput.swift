import BatchSenderCore
import BatchSenderStore

/// Turns recipient input — JSON objects or CSV rows — into validated `NewRecipient`s for one module.
struct RecipientInput: Sendable {
    let module: Module
    let addresses: AddressValidator

    /// One JSON recipient `{to, variables?}`; errors carry its `index`.
    func recipient(from value: JSONValue, index: Int) -> Result<NewRecipient, ValidationIssue> {
        guard case .object(let object) = value else {
            return .failure(ValidationIssue(index: index, message: "recipient must be an object, not \(value.typeName)"))
        }
        guard let toValue = object["to"], toValue != .null else {
            return .failure(ValidationIssue(field: "to", index: index, message: "to is required"))
        }
        guard case .string(let to) = toValue else {
            return .failure(ValidationIssue(field: "to", index: index, message: "to must be a string, not \(toValue.typeName)"))
        }
        var variables: [String: JSONValue] = [:]
        if let raw = object["variables"], raw != .null {
            guard case .object(let object) = raw else {
                return .failure(ValidationIssue(
                    field: "variables", index: index, message: "variables must be an object, not \(raw.typeName)"))
            }
            variables = object
        }
        return make(to: to, variables: variables).mapError {
            ValidationIssue(field: "to", index: index, message: $0.message)
        }
    }

    /// Validates every element of a JSON `recipients` array.
    func recipients(from values: [JSONValue]) -> ([NewRecipient], [ValidationIssue]) {
        var good: [NewRecipient] = []
        var issues: [ValidationIssue] = []
        good.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            switch recipient(from: value, index: index) {
            case .success(let recipient): good.append(recipient)
            case .failure(let issue): issues.append(issue)
            }
        }
        return (good, issues)
    }

    /// `text` without leading and trailing spaces and tabs; the common case (none) costs no copy.
    static func trimSpaces(_ text: String) -> String {
        let utf8 = text.utf8
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// A recipient from its address and variables.
    func make(to: String, variables: [String: JSONValue]) -> Result<NewRecipient, AddressError> {
        let trimmed = Self.trimSpaces(to)
        return addresses.validate(trimmed, for: module).map { address in
            NewRecipient(to: address, normalizedTo: AddressValidator.normalize(address, for: module), variables: variables)
        }
    }
}

/// Maps CSV rows to recipients: the address column is `to` (or `email`, `phone`, `url`), every
/// other column becomes a string variable (CONTRACT §4).
struct CSVColumns: Sendable {
    static let addressColumns = ["to", "email", "phone", "url"]

    let addressIndex: Int
    let names: [String]

    /// Reads the header row (row 1); 422 when it names no address column or repeats a name.
    init(header: [String]) throws(APIError) {
        names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        let lowered = names.map { $0.lowercased() }
        guard let index = Self.addressColumns.lazy.compactMap({ lowered.firstIndex(of: $0) }).first else {
            throw APIError.invalid([ValidationIssue(
                row: 1, message: "the header row must have a column named to, email, phone or url")])
        }
        var seen: Set<String> = []
        for name in names where !name.isEmpty {
            guard seen.insert(name).inserted else {
                throw APIError.invalid([ValidationIssue(row: 1, message: "the header row repeats the column \(name)")])
            }
        }
        addressIndex = index
    }

    /// The recipient of one data row, or the reason it is rejected.
    func recipient(from fields: [String], row: Int, input: RecipientInput) -> Result<NewRecipient, ValidationIssue> {
        guard fields.count <= names.count else {
            return .failure(ValidationIssue(
                row: row, message: "row has \(fields.count) fields but the header has \(names.count)"))
        }
        var variables: [String: JSONValue] = [:]
        for (i, value) in fields.enumerated() where i != addressIndex && !names[i].isEmpty {
            variables[names[i]] = .string(value)
        }
        let to = addressIndex < fields.count ? fields[addressIndex] : ""
        if RecipientInput.trimSpaces(to).isEmpty {
            return .failure(ValidationIssue(field: names[addressIndex], row: row, message: "\(names[addressIndex]) is empty"))
        }
        return input.make(to: to, variables: variables).mapError {
            ValidationIssue(field: names[addressIndex], row: row, message: $0.message)
        }
    }
}
