import Foundation

/// One SMTP server reply (RFC 5321 §4.2): a three-digit code and one or more lines of text.
/// A multi-line reply (`250-…` lines then `250 …`) is one reply.
struct SMTPReply: Hashable, Sendable {
    /// The three-digit reply code, 200–599.
    var code: Int
    /// The text of each line, without the code and separator.
    var lines: [String]

    /// 2xx: the command succeeded.
    var isPositive: Bool { (200..<300).contains(code) }
    /// 3xx: the server waits for more (354 after DATA, 334 during AUTH).
    var isIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx: a temporary failure; the same command may work later.
    var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: a permanent failure.
    var isPermanent: Bool { (500..<600).contains(code) }

    /// The text of all lines joined by spaces, cut to `limit` characters.
    func text(limit: Int = 200) -> String {
        let joined = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        return joined.count > limit ? String(joined.prefix(limit)) + "…" : joined
    }

    /// What a recipient's `lastError` shows: `SMTP 550 5.1.1 <bob@example.com>: Recipient unknown`.
    var reason: String {
        let text = text()
        return text.isEmpty ? "SMTP \(code)" : "SMTP \(code) \(text)"
    }
}

extension SMTPReply: CustomStringConvertible {
    var description: String { reason }
}
