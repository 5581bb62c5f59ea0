import Crypto
import Foundation

extension CredentialSealer {
    /// A keyed fingerprint of a request that carries a low-entropy secret (a password), for
    /// `Idempotency-Key` records: HMAC-SHA256 under a key derived from the master key (HKDF, its
    /// own `info`). A plain SHA-256 of such a body, stored for a day, would let anyone who reads
    /// the database test password guesses at hash speed, sidestepping bcrypt.
    public func keyedFingerprint(_ parts: [any DataProtocol]) -> String {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Data("batchsender request fingerprint v1".utf8), outputByteCount: 32)
        var mac = HMAC<SHA256>(key: derived)
        for part in parts { mac.update(data: part) }
        return Data(mac.finalize()).map { String(format: "%02x", $0) }.joined()
    }
}
