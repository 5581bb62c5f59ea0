import BatchSenderCore

/// The one validator of send-config input, used by create and update alike (LESSONS: one
/// contract, one validator).
public struct SendConfigValidator: Sendable {
    public var addresses: AddressValidator

    public init(addresses: AddressValidator) {
        self.addresses = addresses
    }

    /// Problems with `credentials` (which must all be strings) for `provider`.
    public func credentialIssues(_ credentials: [String: JSONValue], provider: Provider) -> [ValidationIssue] {
        let spec = ProviderSpec.of(provider)
        var reader = ObjectReader(credentials, path: "credentials")
        for key in spec.requiredCredentials { _ = reader.string(key, required: true) }
        for key in credentials.keys.sorted() where !spec.requiredCredentials.contains(key) {
            _ = reader.string(key, nonEmpty: false)
        }
        if provider == .telnyx, let key = credentials["publicKey"]?.stringValue, !key.isEmpty {
            if key.base64Decoded?.count != 32 {
                reader.fail("publicKey", "must be base64 of the 32-byte Ed25519 public key")
            }
        }
        let secrets = [(Provider.http, "signingSecret"), (.http, "inboundSecret"), (.resend, "webhookSecret")]
        for (owner, key) in secrets where provider == owner {
            if let secret = credentials[key]?.stringValue, !secret.isEmpty, !Self.isWebhookSecret(secret) {
                reader.fail(key, "must be whsec_ followed by base64 of 1 to 64 bytes (24 or more recommended)")
            }
        }
        return reader.issues
    }

    /// A Standard Webhooks secret: `whsec_` and base64 of 1–64 bytes.
    static func isWebhookSecret(_ secret: String) -> Bool {
        guard secret.hasPrefix("whsec_"), let bytes = String(secret.dropFirst(6)).base64Decoded else { return false }
        return (1...64).contains(bytes.count)
    }

    /// Problems with `settings` for `provider`.
    public func settingsIssues(_ settings: [String: JSONValue], provider: Provider) -> [ValidationIssue] {
        var reader = ObjectReader(settings, path: "settings")
        ProviderSpec.of(provider).checkSettings(&reader, addresses)
        return reader.issues
    }
}

extension String {
    /// The bytes of a standard base64 string (padding optional), or `nil`.
    var base64Decoded: [UInt8]? {
        var text = self
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).map { [UInt8]($0) }
    }
}

import Foundation
