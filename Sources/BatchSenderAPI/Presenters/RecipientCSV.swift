import BatchSenderCore

/// The CSV export of recipients: one row per recipient, variables as a JSON column.
enum RecipientCSV {
    static let header = "id,to,status,attempts,lastError,providerMessageId,sentAt,deliveredAt,updatedAt,variables\r\n"

    static func line(_ r: Recipient) -> String {
        [
            r.id.rawValue, r.to, r.status.rawValue, String(r.attempts), r.lastError ?? "", r.providerMessageID ?? "",
            r.sentAt.map(Timestamp.format) ?? "", r.deliveredAt.map(Timestamp.format) ?? "",
            Timestamp.format(r.updatedAt), r.variables.isEmpty ? "" : JSONValue.object(r.variables).jsonText(),
        ].map(escape).joined(separator: ",") + "\r\n"
    }

    /// RFC 4180 quoting, plus a leading `'` for cells a spreadsheet would run as a formula.
    static func escape(_ field: String) -> String {
        var value = field
        if let first = value.first, "=+-@\t\r".contains(first), !(value.first == "+" && value.dropFirst().allSatisfy(\.isNumber)) {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
