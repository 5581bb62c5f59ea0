import Crypto
import Foundation
import X509
import _CryptoExtras

/// Verifies SNS message signatures with the signing certificate SNS names, fetched only from
/// URLs matching the configured pattern (`BATCHSENDER_SNS_CERT_URL_PATTERN`) and cached
/// (`CertificateCache`: one download per URL at a time, few at once, failures remembered).
/// Callers check everything they can without the certificate — the topic first — before
/// `verify`, since a request with a plausible URL is all it takes to cause a download.
public struct SNSVerifier: Sendable {
    /// Fetches a certificate (PEM bytes) over the network; the composition root supplies it.
    public typealias Fetch = @Sendable (String) async throws -> [UInt8]

    let allowed: @Sendable (String) -> Bool
    let fetch: Fetch
    let cache: CertificateCache

    /// - Parameters:
    ///   - pattern: a regular expression every certificate (and subscription) URL must match.
    ///   - fetch: downloads a certificate.
    public init(pattern: String, fetch: @escaping Fetch) throws {
        try self.init(pattern: pattern, fetch: fetch, cache: CertificateCache())
    }

    init(pattern: String, fetch: @escaping Fetch, cache: CertificateCache) throws {
        let regex = try NSRegularExpression(pattern: pattern)
        allowed = { url in
            regex.firstMatch(in: url, range: NSRange(url.startIndex..., in: url)) != nil
        }
        self.fetch = fetch
        self.cache = cache
    }

    /// Whether `url` may be fetched (certificates) or called (`SubscribeURL`).
    public func isAllowed(_ url: String) -> Bool { allowed(url) }

    /// Checks the message's signature and timestamp (within 5 minutes of `now`).
    public func verify(_ message: SNSMessage, now: Date) async -> SignatureCheck {
        guard let signature = message.fields["Signature"], let certURL = message.signingCertURL else { return .missing }
        guard let text = message.stringToSign else { return .malformed("not a known SNS message type, or a field is missing") }
        guard let stamp = message.timestamp, let sent = Self.parseTimestamp(stamp) else {
            return .malformed("the Timestamp is not an ISO 8601 time")
        }
        guard abs(now.timeIntervalSince(sent)) <= StandardWebhookSigner.tolerance else { return .stale }
        guard allowed(certURL) else { return .malformed("the SigningCertURL is not an allowed SNS certificate URL") }
        guard let raw = Data(base64Encoded: signature) else { return .malformed("the Signature is not base64") }
        let key: _RSA.Signing.PublicKey
        do {
            key = try await cache.key(for: certURL, now: now, fetch: fetch)
        } catch {
            return .malformed("the signing certificate could not be used: \(error)")
        }
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: raw)
        let data = Data(text.utf8)
        let valid: Bool
        switch message.fields["SignatureVersion"] {
        case "1": valid = key.isValidSignature(rsaSignature, for: Insecure.SHA1.hash(data: data), padding: .insecurePKCS1v1_5)
        case "2": valid = key.isValidSignature(rsaSignature, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
        default: return .malformed("unknown SignatureVersion")
        }
        return valid ? .valid : .invalid
    }

    /// SNS's `Timestamp` (`2026-11-29T20:52:10.228Z`). Format styles are values: nothing is
    /// allocated per request, unlike `ISO8601DateFormatter`.
    static func parseTimestamp(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}

struct CertificateProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
