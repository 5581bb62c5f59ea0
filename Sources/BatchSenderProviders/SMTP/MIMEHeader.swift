import Foundation

/// Builds header fields (RFC 5322 §2.2) ready to write: non-ASCII text as RFC 2047 encoded-words,
/// lines folded at 78 characters where there is a place to fold.
enum MIMEHeader {
    /// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters.
    static let foldWidth = 78
    /// RFC 2047 §2: an encoded-word is at most 75 characters.
    static let maxEncodedWordLength = 75

    /// An unstructured field (`Subject`, most custom headers): ASCII text folded at spaces,
    /// anything else as encoded-words. Control characters become spaces.
    /// A word longer than this could not share a line with the field name within SMTP's
    /// 998-octet limit (RFC 5322 §2.1.1), and folding happens only between words.
    static func fitsOnALine(_ word: some StringProtocol, name: String) -> Bool { word.utf8.count <= 998 - name.utf8.count - 2 }

    static func unstructured(_ name: String, _ value: String) -> String {
        let clean = String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        let words = clean.split(separator: " ", omittingEmptySubsequences: false)
        if clean.utf8.allSatisfy({ $0 < 0x80 }), words.allSatisfy({ fitsOnALine($0, name: name) }) {
            return fold(name, tokens: words.map(String.init))
        }
        // Encoded-words can split anywhere, so they also carry an over-long word.
        return fold(name, tokens: encodedWords(clean, firstLineUsed: name.utf8.count + 2))
    }

    /// An address field: `address`, or `display-name <address>` with the name as a quoted string
    /// when it is printable ASCII and as encoded-words otherwise.
    static func mailbox(_ name: String, address: String, displayName: String?) -> String {
        let display = displayName.map { String(String.UnicodeScalarView($0.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })) }
        guard let display, !display.trimmingCharacters(in: .whitespaces).isEmpty else {
            return "\(name): \(address)"
        }
        let angle = "<\(address)>"
        if display.utf8.allSatisfy({ $0 < 0x80 }), fitsOnALine(quoted(display), name: name) {
            return fold(name, tokens: [quoted(display), angle])
        }
        return fold(name, tokens: encodedWords(display, firstLineUsed: name.utf8.count + 2) + [angle])
    }

    /// `"…"` with `\` and `"` escaped (RFC 5322 §3.2.4).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            if character == "\\" || character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }

    /// `text` as `=?UTF-8?B?…?=` words of whole characters, each at most 75 characters, the
    /// first short enough to share a 78-character line with `firstLineUsed` characters.
    /// Readers join adjacent encoded-words without the space between them, so spaces inside
    /// `text` are encoded and survive.
    static func encodedWords(_ text: String, firstLineUsed: Int) -> [String] {
        let overhead = "=?UTF-8?B??=".utf8.count
        // Most UTF-8 bytes whose base64 fits in `width` characters of encoded text.
        func capacity(_ wordLength: Int) -> Int { max(6, (wordLength - overhead) / 4 * 3) }
        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = capacity(min(maxEncodedWordLength, foldWidth - firstLineUsed - 1))
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk = []
            limit = capacity(maxEncodedWordLength)
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if bytes.count <= limit {
                if chunk.count + bytes.count > limit { flush() }
                chunk += bytes
                continue
            }
            // A grapheme cluster longer than a whole word (long emoji sequences): split it
            // between Unicode scalars, which keeps every word valid UTF-8.
            for scalar in character.unicodeScalars {
                let scalarBytes = Array(String(scalar).utf8)
                if chunk.count + scalarBytes.count > limit { flush() }
                chunk += scalarBytes
            }
        }
        flush()
        return words.isEmpty ? ["=?UTF-8?B??="] : words
    }

    /// `name: token token …`, breaking the line (CRLF + space) before a token that would pass
    /// 78 characters. A single token longer than that stays whole: folding can only happen at
    /// whitespace.
    static func fold(_ name: String, tokens: [String]) -> String {
        var result = name + ":"
        var lineLength = result.utf8.count
        var lineHasToken = false  // never leave the field name alone on its line
        for token in tokens {
            let width = token.utf8.count
            if lineLength + 1 + width > foldWidth && lineHasToken && !token.isEmpty {
                result += "\r\n " + token
                lineLength = 1 + width
            } else {
                result += " " + token
                lineLength += 1 + width
            }
            lineHasToken = lineHasToken || !token.isEmpty
        }
        return result
    }

    /// An RFC 5322 §3.3 date in UTC: `Tue, 03 Mar 2026 09:05:00 +0000`.
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[((parts.weekday ?? 1) - 1) % 7]), \(two(parts.day)) \(months[((parts.month ?? 1) - 1) % 12]) "
            + "\(parts.year ?? 1970) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
