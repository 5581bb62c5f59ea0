import Crypto
import Foundation

/// Telnyx API v2 webhook signatures: Ed25519 over `"{telnyx-timestamp}|{raw body}"`, checked
/// with the account's public key.
///
/// Source: team-telnyx/telnyx-python `src/telnyx/lib/webhook_verification.py`
/// (`signed_payload = f"{timestamp}|{payload}"`, 300 s tolerance) and the Telnyx callback
/// reference ("Ed25519 signature of timestamp|payload", headers `telnyx-signature-ed25519`,
/// `telnyx-timestamp`).
public struct TelnyxSignature: Sendable {
    let key: Curve25519.Signing.PublicKey

    /// `publicKey` is base64 of the raw 32-byte Ed25519 key (Mission Control → Keys & Credentials).
    public init?(publicKey: String) {
        guard let bytes = Data(base64Encoded: publicKey.trimmingCharacters(in: .whitespaces)), bytes.count == 32,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
        else { return nil }
        self.key = key
    }

    public func verify(signature: String?, timestamp: String?, body: [UInt8], now: Date) -> SignatureCheck {
        guard let signature, let timestamp, !signature.isEmpty else { return .missing }
        guard let seconds = Int(timestamp) else { return .malformed("telnyx-timestamp is not a number") }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= StandardWebhookSigner.tolerance else { return .stale }
        guard let raw = Data(base64Encoded: signature), raw.count == 64 else {
            return .malformed("telnyx-signature-ed25519 is not base64 of 64 bytes")
        }
        return key.isValidSignature(raw, for: Data(timestamp.utf8) + Data("|".utf8) + Data(body)) ? .valid : .invalid
    }
}
