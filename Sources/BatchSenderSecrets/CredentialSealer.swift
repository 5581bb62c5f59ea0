import BatchSenderCore
import Crypto
import Foundation

/// Encrypts send-config credentials at rest with AES-256-GCM under the master key.
///
/// The send config's id is bound as authenticated data, so a sealed blob copied onto another
/// config does not open.
public struct CredentialSealer: Sendable {
    /// Internal, not private: `keyedFingerprint` derives its own key from it.
    let key: SymmetricKey

    /// - Parameter masterKey: exactly 32 bytes.
    public init(masterKey: Data) throws(MasterKeyError) {
        guard masterKey.count == 32 else { throw .wrongLength(masterKey.count) }
        key = SymmetricKey(data: masterKey)
    }

    /// Seals `credentials` for the config `owner`.
    public func seal(_ credentials: [String: String], for owner: SendConfig.ID) throws -> Data {
        let plaintext = try JSONEncoder().encode(credentials)
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(owner.rawValue.utf8))
        // `combined` is nil only for nonces of non-standard size; ours is the default 12 bytes.
        guard let combined = box.combined else { throw CredentialSealerError.sealFailed }
        return combined
    }

    /// Opens credentials sealed for `owner`; throws when the key or the owner does not match.
    public func open(_ sealed: Data, for owner: SendConfig.ID) throws -> [String: String] {
        if sealed.isEmpty { return [:] }
        let box = try AES.GCM.SealedBox(combined: sealed)
        let plaintext = try AES.GCM.open(box, using: key, authenticating: Data(owner.rawValue.utf8))
        return try JSONDecoder().decode([String: String].self, from: plaintext)
    }

    /// Seals any bytes at rest, bound to `context` (authenticated, not encrypted): a blob moved
    /// to another context does not open.
    public func seal(_ data: Data, context: String) throws -> Data {
        let box = try AES.GCM.seal(data, using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw CredentialSealerError.sealFailed }
        return combined
    }

    /// Opens bytes sealed for `context`; throws when the key or the context does not match.
    public func open(_ sealed: Data, context: String) throws -> Data {
        try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Data(context.utf8))
    }

    /// A hint that identifies a secret without revealing it: `re_…1a2b` for long values (a short
    /// scheme prefix such as `re_` and the last four characters), just `…` for short ones.
    public static func hint(for secret: String) -> String {
        guard secret.count >= 12 else { return "…" }
        let scheme = secret.prefix(5).firstIndex(where: { $0 == "_" }).map { String(secret[...$0]) } ?? ""
        return scheme + "…" + String(secret.suffix(4))
    }
}

/// A malformed master key.
public enum MasterKeyError: Error, Equatable, CustomStringConvertible {
    case wrongLength(Int)
    case notBase64

    public var description: String {
        switch self {
        case .wrongLength(let n): "the master key must be 32 bytes, got \(n)"
        case .notBase64: "the master key must be base64 of 32 bytes"
        }
    }
}

enum CredentialSealerError: Error {
    case sealFailed
}
