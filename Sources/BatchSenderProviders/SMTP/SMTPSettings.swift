import BatchSenderCore
import BatchSenderDelivery
import Foundation

/// An `smtp` send config read into typed values (CONTRACT §3), with the defaults filled in.
struct SMTPSettings: Sendable {
    var host: String
    var port: Int
    var security: SMTPSecurity
    var heloName: String
    /// PEM text; when set, the only certificate trusted instead of the system roots.
    var caCertificate: String?
    var maxConnections: Int
    var messagesPerConnection: Int
    /// Bound on each step: connecting, each reply, each write, the wait for a pooled connection.
    var timeout: Duration
    var credentials: Credentials?

    struct Credentials: Sendable {
        var username: String
        var password: String
    }

    static let defaultMaxConnections = 4
    /// Relays cap messages per session (listmonk #1181 "Too many messages in this connection").
    static let defaultMessagesPerConnection = 100
    static let defaultTimeoutMs = 30_000

    /// RFC 6409 submission on 587 with STARTTLS; RFC 8314 implicit TLS on 465; relay on 25.
    static func defaultPort(for security: SMTPSecurity) -> Int {
        switch security {
        case .starttls: 587
        case .tls: 465
        case .none: 25
        }
    }

    /// The name we give in EHLO: this machine's name when it looks fully qualified, else
    /// "localhost" (a bare host name is no better, and some servers check for a dot).
    static let defaultHeloName: String = {
        let name = ProcessInfo.processInfo.hostName
        let isFQDN = name.contains(".") && !name.hasSuffix(".") && name.utf8.count <= 253
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-") }
        return isFQDN ? name : "localhost"
    }()

    /// Reads and checks `configuration`; a problem is a `.configuration` error whose message
    /// names the setting, as the API's validation would.
    static func parse(_ configuration: ProviderConfiguration) -> Result<SMTPSettings, SMTPError> {
        let settings = configuration.settings
        // The API validates with the same rules; a config stored before a rule existed is caught here.
        // Private hosts pass this shape check: the connection's own guard applies the policy.
        let issues = SendConfigValidator(addresses: AddressValidator(allowPrivateNetworks: true)).settingsIssues(settings, provider: .smtp)
        guard issues.isEmpty else {
            return .failure(.configuration(
                "invalid SMTP send config: " + issues.map { "\($0.field ?? "settings") \($0.message)" }.joined(separator: "; ")))
        }
        var reader = ObjectReader(settings)
        let security: SMTPSecurity = reader.choice("security") ?? .starttls
        let username = configuration.credentials["username"].flatMap { $0.isEmpty ? nil : $0 }
        let password = configuration.credentials["password"].flatMap { $0.isEmpty ? nil : $0 }
        var credentials: Credentials?
        switch (username, password) {
        case (let username?, let password?): credentials = Credentials(username: username, password: password)
        case (nil, nil): credentials = nil
        case (_?, nil): return .failure(.configuration("invalid SMTP send config: credentials.password is required with credentials.username"))
        case (nil, _?): return .failure(.configuration("invalid SMTP send config: credentials.username is required with credentials.password"))
        }
        if credentials != nil, security == .none {
            return .failure(.configuration(
                "invalid SMTP send config: credentials need security starttls or tls; AUTH over an unencrypted connection is refused"))
        }
        return .success(SMTPSettings(
            host: reader.string("host") ?? "",
            port: reader.int("port", in: 1...65_535) ?? defaultPort(for: security),
            security: security,
            heloName: reader.string("heloName") ?? defaultHeloName,
            caCertificate: reader.string("caCertificate"),
            maxConnections: reader.int("maxConnections", in: 1...100) ?? defaultMaxConnections,
            messagesPerConnection: reader.int("messagesPerConnection", in: 1...100_000) ?? defaultMessagesPerConnection,
            timeout: .milliseconds(reader.int("timeoutMs", in: 100...600_000) ?? defaultTimeoutMs),
            credentials: credentials))
    }

    /// The host as the resolver wants it: an IPv6 literal without its brackets.
    var connectHost: String { host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host }

    /// `host:port`, for messages.
    var endpoint: String { connectHost.contains(":") ? "[\(connectHost)]:\(port)" : "\(host):\(port)" }
}
