/// A recipient's idempotency key, `msg_<batch ULID>_<row>[_r<generation>][_<tag>]`: sent to
/// providers that accept one (`Idempotency-Key`, `webhook-id`, Vonage `client-ref`) and read back
/// from their events. It has no dots: a Standard Webhooks `webhook-id` must not contain one.
///
/// - The key is stable across attempts, so a repeated call is recognised (CONTRACT §5), but a
///   `POST …/retry` starts a new *generation*: providers that remember keys (Resend for 24 h)
///   would otherwise answer a deliberate re-send with the first send's result and drop it.
/// - The tag is an HMAC of the rest under a key derived from the master key (see `MessageKeys`):
///   receivers learn their own keys, and without the tag one receiver could name — and bounce —
///   another's messages from their sequential rows.
public enum MessageKey {
    /// The untagged key (tests, and keys made before tags existed).
    public static func make(batch: Batch.ID, recipient: Recipient.ID, generation: Int = 0) -> String {
        let batchPart = batch.rawValue.split(separator: "_").last.map(String.init) ?? batch.rawValue
        let base = "msg_\(batchPart)_\(recipient.row.map(String.init) ?? recipient.rawValue)"
        return generation > 0 ? "\(base)_r\(generation)" : base
    }

    /// The batch and recipient row a key names, or `nil` when it is not one of ours. Says nothing
    /// about the tag: `MessageKeys.isAuthentic` checks that.
    public static func parse(_ key: String) -> (batch: Batch.ID, row: Int64)? {
        guard key.hasPrefix("msg_"), key.utf8.count <= 128 else { return nil }
        let parts = key.dropFirst(4).split(separator: "_", omittingEmptySubsequences: false)
        guard (2...4).contains(parts.count), !parts[0].isEmpty, let row = Int64(parts[1]), row > 0 else { return nil }
        return (Batch.ID(rawValue: "\(Batch.idPrefix)_\(parts[0])"), row)
    }
}

/// Makes and checks tagged message keys. The tagger (an HMAC under a key derived from the master
/// key, built in `BatchSenderSecrets`) is injected so the domain stays free of crypto.
public struct MessageKeys: Sendable {
    /// Hex characters of a tag: 96 bits, far beyond online guessing.
    public static let tagLength = 24
    public typealias Tagger = @Sendable (String) -> String

    private let tagger: Tagger?

    /// - Parameter tagger: returns `tagLength` lowercase hex characters for a key body.
    public init(tagger: Tagger?) {
        self.tagger = tagger
    }

    /// Keys without tags: tests and the in-memory demo.
    public static let untagged = MessageKeys(tagger: nil)

    public func make(batch: Batch.ID, recipient: Recipient.ID, generation: Int = 0) -> String {
        let body = MessageKey.make(batch: batch, recipient: recipient, generation: generation)
        guard let tagger else { return body }
        return "\(body)_\(tagger(body))"
    }

    /// Whether `key` is one this process could have made: its tag verifies (constant time).
    /// Without a tagger every well-formed key is accepted.
    public func isAuthentic(_ key: String) -> Bool {
        guard let tagger else { return MessageKey.parse(key) != nil }
        guard let cut = key.lastIndex(of: "_"), MessageKey.parse(key) != nil else { return false }
        let body = String(key[..<cut])
        let expected = Array(tagger(body).utf8)
        let given = Array(key[key.index(after: cut)...].utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }
}
