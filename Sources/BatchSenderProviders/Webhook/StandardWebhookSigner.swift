import Crypto
import Foundation

/// Signs outbound webhooks the Standard Webhooks way (symmetric scheme).
///
/// Source: standard-webhooks/standard-webhooks, `spec/standard-webhooks.md`, "Signature scheme"
/// and "Webhook headers": the signed content is `{msg_id}.{timestamp}.{payload}` (the exact body
/// bytes sent), the MAC is HMAC-SHA256 keyed with the secret's base64-DECODED bytes (the secret is
/// serialized as `whsec_` + base64), and the header value is `v1,` + base64 of the MAC; the
/// `webhook-signature` header is a space-delimited list of such signatures. The reference Python
/// package (`standardwebhooks`, `Webhook.__init__`) also accepts the secret without its prefix
/// and with its base64 padding left off; so do we.
public struct StandardWebhookSigner: Sendable {
    /// The HMAC key: the decoded secret.
    let key: SymmetricKey

    /// Parses `whsec_<base64>` (or bare base64); `nil` when it is not base64 or decodes to nothing.
    public init?(secret: String) {
        var text = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        text = text.trimmingCharacters(in: .whitespaces)
        while text.count % 4 != 0 { text += "=" }
        guard let bytes = Data(base64Encoded: text), !bytes.isEmpty else { return nil }
        key = SymmetricKey(data: bytes)
    }

    /// The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256(id.timestamp.body)>`.
    public func signature(id: String, timestamp: Int, body: some DataProtocol) -> String {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Data("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }
}
