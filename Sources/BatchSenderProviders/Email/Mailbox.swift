import Foundation

/// An RFC 5322 mailbox as text: `address`, or `Display Name <address>`.
enum Mailbox {
    /// `name <address>`, quoting the name when it holds anything beyond atoms and spaces
    /// (a comma in "Doe, John" would otherwise split it into two addresses).
    static func format(name: String?, address: String) -> String {
        guard let name = name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { return address }
        let clean = name.filter { $0 != "\r" && $0 != "\n" }
        if clean.unicodeScalars.allSatisfy({ isAtext($0) || $0 == " " }) { return "\(clean) <\(address)>" }
        let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\" <\(address)>"
    }

    /// RFC 5322 `atext`, plus any non-ASCII character (RFC 6532).
    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value > 127 { return true }
        if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) { return true }
        return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }
}
