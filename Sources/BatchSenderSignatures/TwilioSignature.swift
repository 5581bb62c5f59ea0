import Crypto
import Foundation

/// Twilio's `X-Twilio-Signature` on webhooks (status callbacks).
///
/// Source: https://www.twilio.com/docs/usage/webhooks/webhooks-security and twilio-python
/// `twilio/request_validator.py` (`compute_signature`): the full URL Twilio requested (scheme,
/// host, path and query), then for a form POST every parameter sorted by name with its name and
/// value appended, no separators; HMAC-SHA1 keyed with the auth token; base64. The validator
/// also accepts the URL with the port added or removed, because proxies disagree about it.
public enum TwilioSignature {
    /// The signature of a request to `url` with form `parameters`.
    public static func sign(url: String, parameters: [(String, String)], authToken: String) -> String {
        var text = url
        // Sorted by name, then value (repeated names keep a stable order).
        for (name, value) in parameters.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) {
            text += name + value
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Whether `signature` signs the request, for `url` as given or with its default port
    /// added or removed.
    public static func isValid(_ signature: String?, url: String, parameters: [(String, String)], authToken: String) -> SignatureCheck {
        guard let signature, !signature.isEmpty else { return .missing }
        for candidate in urlVariants(url) {
            let expected = Array(sign(url: candidate, parameters: parameters, authToken: authToken).utf8)
            if ConstantTime.equal(expected, Array(signature.utf8)) { return .valid }
        }
        return .invalid
    }

    /// `url`, and the same with the scheme's default port added (or removed if present).
    static func urlVariants(_ url: String) -> [String] {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else { return [url] }
        let defaultPort = scheme == "https" ? 443 : 80
        if components.port == nil {
            components.port = defaultPort
        } else if components.port == defaultPort {
            components.port = nil
        } else {
            return [url]
        }
        return [url, components.string ?? url]
    }
}
