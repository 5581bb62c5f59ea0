import Crypto
import Foundation

/// Signs and verifies webhooks the Standard Webhooks way (symmetric scheme) — our outbound
/// webhooks, and inbound events from Resend (Svix) and from webhook receivers.
///
/// Source: standard-webhooks/standard-webhooks, `spec/standard-webhooks.md`, "Signature scheme"
/// and "Webhook headers": the signed content is `{msg_id}.{timestamp}.{payload}` (the exact body
/// bytes), the MAC is HMAC-SHA256 keyed with the secret's base64-DECODED bytes (the secret is
/// serialized as `whsec_` + base64), and the header value is `v1,` + base64 of the MAC; the
/// signature header is a space-delimited list of such signatures. Svix (Resend) uses the same
/// scheme under `svix-id`, `svix-timestamp` and `svix-signature`
/// (https://docs.svix.com/receiving/verifying-payloads/how-manual). The reference Python package
/// (`standardwebhooks`, `Webhook.__init__`) also accepts the secret without its prefix and with
/// its base64 padding left off; so do we.
public struct StandardWebhookSigner: Sendable {
    /// How far a timestamp may be from now, either way (the reference libraries' tolerance).
    public static let tolerance: TimeInterval = 300

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

    /// The signature value for one message: `v1,<base64 HMAC-SHA256(id.timestamp.body)>`.
    public func signature(id: String, timestamp: Int, body: some DataProtocol) -> String {
        "v1," + Data(mac(id: id, timestamp: String(timestamp), body: body)).base64EncodedString()
    }

    /// Checks a received message: the timestamp within `tolerance` of `now`, and at least one
    /// `v1,` entry of the signature header matching (compared in constant time).
    public func verify(
        id: String?, timestamp: String?, signatures: String?, body: some DataProtocol, now: Date
    ) -> SignatureCheck {
        guard let id, !id.isEmpty, let timestamp, let signatures, !signatures.isEmpty else { return .missing }
        guard let seconds = Int(timestamp) else { return .malformed("the timestamp is not a number") }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= Self.tolerance else { return .stale }
        let expected = mac(id: id, timestamp: timestamp, body: body)
        for entry in signatures.split(separator: " ") {
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let given = Data(base64Encoded: String(parts[1])) else { continue }
            if ConstantTime.equal(Array(given), expected) { return .valid }
        }
        return .invalid
    }

    private func mac(id: String, timestamp: String, body: some DataProtocol) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Data("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return Array(hmac.finalize())
    }
}

/// The result of checking a signed request.
public enum SignatureCheck: Hashable, Sendable {
    case valid
    /// No signature, or a header it needs is absent.
    case missing
    /// The timestamp is more than the tolerance away from now (a replay, or a wrong clock).
    case stale
    /// A signature is present but does not match.
    case invalid
    /// A header is present but cannot be read.
    case malformed(String)

    /// Why the request is refused, for the 401 answer (never reveals the expected signature).
    public var problem: String? {
        switch self {
        case .valid: nil
        case .missing: "the request is not signed (signature headers missing)"
        case .stale: "the signature timestamp is more than 5 minutes from now"
        case .invalid: "the signature does not match"
        case .malformed(let why): "the signature cannot be read: \(why)"
        }
    }
}

/// Comparisons that take the same time whatever the bytes, so a forger learns nothing from timing.
public enum ConstantTime {
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
