import Foundation
import BatchSenderCore

/// Text for the reference page: escaped, with the `code` spans and blank-line paragraphs the
/// descriptions use (the same light Markdown OpenAPI viewers render).
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Escaped text with each `…` span as `<code>`.
    static func inline(_ text: String) -> String {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        // An unpaired backtick stays as it is.
        guard parts.count % 2 == 1 else { return escape(text) }
        return parts.enumerated().map { index, part in
            index % 2 == 1 ? "<code>\(escape(String(part)))</code>" : escape(String(part))
        }.joined()
    }

    /// One `<p>` per blank-line-separated paragraph.
    static func paragraphs(_ text: String) -> String {
        text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .map { "<p>\(inline($0))</p>" }.joined()
    }
}

/// JSON indented for reading, keys sorted as `JSONWriter` sorts them.
enum PrettyJSON {
    static func text(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + text($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let object) where !object.isEmpty:
            let entries = object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return "{\n" + entries.map { key, value in
                inner + JSONValue.string(key).jsonText() + ": " + text(value, indent: inner)
            }.joined(separator: ",\n") + "\n\(indent)}"
        default:
            return value.jsonText()
        }
    }
}
