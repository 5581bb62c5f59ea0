import Crypto
import Foundation

/// Plaintext API keys: `bsk_` followed by 43 base64url characters (256 random bits).
///
/// Keys carry full entropy, so a single SHA-256 is the right hash: a slow password hash would
/// only add latency to every request without adding security.
public enum APIKeySecret {
    public static let scheme = "bsk_"
    /// Characters of the plaintext shown in lists to recognise a key.
    public static let prefixLength = 12

    /// A new random key.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return scheme + base64URL(Data(bytes))
    }

    /// The stored form: lowercase hex SHA-256 of the key.
    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The displayable start of a key.
    public static func displayPrefix(_ key: String) -> String { String(key.prefix(prefixLength)) }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// SHA-256 fingerprints of requests, for `Idempotency-Key` comparison.
public struct RequestFingerprint: Sendable {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: some DataProtocol) { hasher.update(data: bytes) }

    public mutating func update(_ text: String) { hasher.update(data: Data(text.utf8)) }

    public func finalize() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
