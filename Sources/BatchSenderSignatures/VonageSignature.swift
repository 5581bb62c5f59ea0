import Crypto
import Foundation

/// Vonage's request signatures (`sig`), for signed SMS API requests and signed webhooks.
///
/// Source: "Signing Messages", https://developer.vonage.com/en/getting-started/concepts/signing-messages
/// (Nexmo/station `_documentation/en/concepts/guides/signing-messages.md`), and the verifiers of
/// the official SDKs (vonage-node-sdk `packages/sms/lib/sms.ts` `verifySignature`,
/// vonage-java-sdk `auth/RequestSigning.java`): sort the parameters by key (without `sig`),
/// replace `&` and `=` in each value with `_`, build `&k1=v1&k2=v2…` (leading `&`), then
/// either MD5 of that string followed by the secret ("MD5 hash", the default) or an HMAC
/// keyed with the secret; hex digits, compared case-insensitively.
public enum VonageSignature {
    public enum Method: String, CaseIterable, Sendable {
        case md5hash, md5, sha1, sha256, sha512
    }

    /// The signature of `parameters` (any `sig` among them is ignored), lowercase hex.
    public static func sign(_ parameters: [(String, String)], secret: String, method: Method) -> String {
        let sorted = parameters.filter { $0.0 != "sig" }.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        var text = ""
        for (key, value) in sorted {
            text += "&" + clean(key) + "=" + clean(value)
        }
        let data = Data(text.utf8), key = SymmetricKey(data: Data(secret.utf8))
        switch method {
        case .md5hash: return Insecure.MD5.hash(data: data + Data(secret.utf8)).hexString
        case .md5: return HMAC<Insecure.MD5>.authenticationCode(for: data, using: key).hexString
        case .sha1: return HMAC<Insecure.SHA1>.authenticationCode(for: data, using: key).hexString
        case .sha256: return HMAC<SHA256>.authenticationCode(for: data, using: key).hexString
        case .sha512: return HMAC<SHA512>.authenticationCode(for: data, using: key).hexString
        }
    }

    /// Whether `signature` (hex, any case) signs `parameters`; constant time in its length.
    public static func isValid(_ signature: String, parameters: [(String, String)], secret: String, method: Method) -> Bool {
        ConstantTime.equal(Array(sign(parameters, secret: secret, method: method).utf8), Array(signature.lowercased().utf8))
    }

    private static func clean(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "_").replacingOccurrences(of: "=", with: "_")
    }
}
