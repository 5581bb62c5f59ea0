import Foundation

/// `List-Unsubscribe` (RFC 2369) and one-click `List-Unsubscribe-Post` (RFC 8058) headers for
/// an email, from the payload's or the send config's `unsubscribeUrl`.
///
/// RFC 8058 §3.1: one-click needs an HTTPS URI, and the POST header is only meaningful with
/// one; a `mailto:` link gets the RFC 2369 header alone. Gmail and Yahoo require one-click
/// unsubscribe from bulk senders (PROVIDERS.md C13).
public enum UnsubscribeLink {
    public static let postValue = "List-Unsubscribe=One-Click"

    /// The headers for `url` (already rendered), or none when it is empty.
    public static func headers(for url: String) -> [String: String] {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, problem(trimmed) == nil else { return [:] }
        var headers = ["List-Unsubscribe": "<\(trimmed)>"]
        if trimmed.lowercased().hasPrefix("https://") { headers["List-Unsubscribe-Post"] = postValue }
        return headers
    }

    /// Why `url` cannot be an unsubscribe link, or `nil`.
    public static func problem(_ url: String) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") else {
            return "must be an https:// URL (one-click unsubscribe) or a mailto: address"
        }
        if url.contains(where: { $0 == "<" || $0 == ">" || $0.isWhitespace || $0.isNewline }) {
            return "must not contain spaces, line breaks or angle brackets"
        }
        guard URLComponents(string: url) != nil else { return "is not a valid URL" }
        return nil
    }
}
