import Foundation

/// An RFC 5322 mailbox as text, for the API providers: `address`, or `Display Name <address>`.
/// Quoting and encoded-words are `MIMEHeader`'s, the same the SMTP provider writes.
enum Mailbox {
    /// `name <address>`, quoting the name when it holds anything beyond atoms and spaces
    /// (a comma in "Doe, John" would otherwise split it into two addresses). UTF-8 names stay
    /// as they are (RFC 6532): Resend takes them so.
    static func format(name: String?, address: String) -> String {
        guard let name = name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { return address }
        let clean = name.filter { $0 != "\r" && $0 != "\n" }
        if clean.unicodeScalars.allSatisfy({ isAtext($0) || $0 == " " }) { return "\(clean) <\(address)>" }
        return "\(MIMEHeader.quoted(clean)) <\(address)>"
    }

    /// `format`, with a non-ASCII name as RFC 2047 encoded-words: SES wants 7-bit headers.
    static func sevenBit(name: String?, address: String) -> String {
        format(name: name.map(sevenBitName), address: address)
    }

    /// `text` as it is when it is printable ASCII, else encoded-words of at most 75 characters.
    static func sevenBitName(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }) { return text }
        return MIMEHeader.encodedWords(text, firstLineUsed: 0).joined(separator: " ")
    }

    /// RFC 5322 `atext`, plus any non-ASCII character (RFC 6532).
    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value > 127 { return true }
        if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) { return true }
        return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }
}
