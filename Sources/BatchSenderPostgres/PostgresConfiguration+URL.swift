import Foundation

extension PostgresConfiguration {
    /// Parses `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…` (also
    /// `postgresql://`). User, host and database are required; the port defaults to 5432 and
    /// `sslmode` to `prefer`, as in libpq. Percent-escapes are decoded in every part; an IPv6 host
    /// is written in brackets. Unknown parameters are refused, so that a typo such as `sslmod=`
    /// cannot quietly turn TLS off.
    public init(url text: String) throws(PostgresConfigurationError) {
        guard let schemeEnd = text.range(of: "://") else { throw .malformedURL }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw scheme.isEmpty ? .malformedURL : .unsupportedScheme(scheme)
        }
        var rest = text[schemeEnd.upperBound...]
        guard !rest.contains("#"), !rest.contains(where: \.isWhitespace) else { throw .malformedURL }

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        // The last `@` ends the user information: a password may contain an unescaped `@`.
        guard let at = rest.lastIndex(of: "@") else { throw .missingUsername }
        let (username, password) = try Self.userInfo(rest[..<at])
        let (host, port) = try Self.hostAndPort(rest[rest.index(after: at)...])
        guard !path.isEmpty else { throw .missingDatabase }
        guard !path.contains("/"), let database = Self.decode(path) else { throw .malformedURL }

        self.init(host: host, port: port, username: username, password: password, database: database)
        try applyParameters(query)
    }

    private static func userInfo(_ text: Substring) throws(PostgresConfigurationError) -> (String, String?) {
        let user: Substring
        var password: String?
        if let colon = text.firstIndex(of: ":") {
            user = text[..<colon]
            guard let decoded = decode(text[text.index(after: colon)...]) else { throw .malformedURL }
            password = decoded
        } else {
            user = text
        }
        guard let username = decode(user) else { throw .malformedURL }
        guard !username.isEmpty else { throw .missingUsername }
        return (username, password)
    }

    private static func hostAndPort(_ text: Substring) throws(PostgresConfigurationError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .malformedURL }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .malformedURL }
                portText = after.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else { throw .missingHost }
        guard let decodedHost = decode(host) else { throw .malformedURL }
        var port = 5432
        if let portText {
            guard portText.allSatisfy(\.isASCII), let value = Int(portText), (1...65_535).contains(value) else {
                throw .invalidPort(String(portText))
            }
            port = value
        }
        return (decodedHost, port)
    }

    private mutating func applyParameters(_ query: Substring) throws(PostgresConfigurationError) {
        var seen: Set<String> = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "="), let name = Self.decode(pair[..<equals]),
                let value = Self.decode(pair[pair.index(after: equals)...])
            else { throw .invalidParameter(String(pair)) }
            guard !value.isEmpty, seen.insert(name).inserted else { throw .invalidParameter(name) }
            switch name {
            case "sslmode":
                guard let mode = PostgresSSLMode(rawValue: value) else { throw .unsupportedSSLMode(value) }
                sslMode = mode
            case "sslrootcert":
                sslRootCertificatePath = value
            default:
                throw .unknownParameter(name)
            }
        }
        if sslRootCertificatePath != nil, sslMode == .disable { throw .rootCertificateWithoutTLS }
    }

    private static func decode(_ text: Substring) -> String? {
        String(text).removingPercentEncoding
    }
}
