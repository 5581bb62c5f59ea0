import BatchSenderSignatures
import Crypto
import Foundation

/// AWS credentials as a send config holds them.
public struct AWSCredentials: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Temporary (STS) credentials carry a session token, sent and signed as `X-Amz-Security-Token`.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// AWS Signature Version 4 for header-signed requests to non-S3 services.
///
/// Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
/// — canonical request, string to sign, derived signing key; checked against AWS's SigV4 test
/// suite (awslabs/aws-c-auth `tests/aws-signing-test-suite/v4`) and against botocore's
/// `SigV4Auth` for the same requests (see the tests). No listed Swift package does this.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// The signing name (`ses` for SES v2, whose endpoint prefix is `email`).
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// What signing produced: the headers to add, and the intermediate texts (for tests and logs).
    public struct Signed: Sendable {
        public var headers: [(String, String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var authorization: String
    }

    /// Signs a request. `headers` are the headers to sign besides `host` (taken from `url`) and
    /// `x-amz-date`; the result adds `X-Amz-Date`, `X-Amz-Security-Token` (if any) and
    /// `Authorization`, which must all be sent, with `Host` exactly as `hostHeader(of:)` gives.
    public func sign(method: String, url: String, headers: [(String, String)], body: [UInt8], date: Date) -> Signed {
        let components = URLComponents(string: url)
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        var signedHeaders = headers
        signedHeaders.append(("Host", Self.hostHeader(of: url)))
        signedHeaders.append(("X-Amz-Date", amzDate))
        if let token = credentials.sessionToken, !token.isEmpty { signedHeaders.append(("X-Amz-Security-Token", token)) }

        // Canonical headers: lowercase names, sorted, values trimmed with inner runs of spaces collapsed.
        var merged: [String: [String]] = [:]
        for (name, value) in signedHeaders { merged[name.lowercased(), default: []].append(Self.collapse(value)) }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signedNames = names.joined(separator: ";")

        let path = components?.percentEncodedPath ?? "/"
        let canonicalRequest = [
            method.uppercased(),
            // Non-S3 services: the path as sent, URI-encoded once more (each segment encoded twice).
            path.isEmpty ? "/" : Self.uriEncode(path, keepSlash: true),
            Self.canonicalQuery(components?.percentEncodedQuery),
            canonicalHeaders,
            signedNames,
            SHA256.hash(data: Data(body)).hexString,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, SHA256.hash(data: Data(canonicalRequest.utf8)).hexString,
        ].joined(separator: "\n")

        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key).hexString
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedNames), Signature=\(signature)"

        var added = [("X-Amz-Date", amzDate)]
        if let token = credentials.sessionToken, !token.isEmpty { added.append(("X-Amz-Security-Token", token)) }
        added.append(("Authorization", authorization))
        return Signed(headers: added, canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization)
    }

    /// The `Host` header for `url`: the host, with the port when it is not the scheme's default.
    public static func hostHeader(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "" }
        let defaultPort = components.scheme?.lowercased() == "https" ? 443 : 80
        if let port = components.port, port != defaultPort { return "\(host):\(port)" }
        return host
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(n ?? 0).leftPadded(to: 2) }
        return "\(String(c.year ?? 1970).leftPadded(to: 4))\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// Query parameters decoded, re-encoded with RFC 3986 unreserved characters only, sorted by
    /// key then value.
    static func canonicalQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            func decode(_ s: String) -> String { s.removingPercentEncoding ?? s }
            return (uriEncode(decode(parts[0]), keepSlash: false), uriEncode(decode(parts.count > 1 ? parts[1] : ""), keepSlash: false))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// AWS's `UriEncode`: unreserved characters as they are, everything else `%XX`.
    static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        FormEncoding.escape(text, keepSlash: keepSlash)
    }

    /// Trims and collapses runs of spaces, as canonical header values require.
    static func collapse(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
