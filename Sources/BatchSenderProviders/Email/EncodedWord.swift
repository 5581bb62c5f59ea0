import Foundation

/// RFC 2047 encoded words, for non-ASCII text in header fields that must stay 7-bit.
enum EncodedWord {
    /// `text` as it is when it is printable ASCII, else one or more `=?UTF-8?B?…?=` words, each
    /// at most 75 characters and never splitting a character.
    static func encodeIfNeeded(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }) { return text }
        // 75 - len("=?UTF-8?B?") - len("?=") = 63 base64 characters: 45 bytes of UTF-8.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: " ")
    }
}
