import BatchSenderCore
import BatchSenderPostgres
import Foundation
import Logging

/// Every setting of CONTRACT §1, read once at start-up into typed values.
public struct AppConfig: Sendable {
    /// Which parts of the product a process runs.
    public enum Role: String, CaseIterable, Sendable {
        case all, api, worker
    }

    /// Where the data lives.
    public enum Database: Sendable, Equatable {
        case sqlite(path: String)
        /// Parsed when the settings are read, so a malformed URL fails before anything starts.
        case postgres(PostgresConfiguration)
    }

    public var database: Database
    public var host: String
    public var port: Int
    /// Base64 of 32 bytes; `nil` means the SQLite key file next to the database.
    public var masterKey: String?
    public var allowPrivateNetworks: Bool
    /// `BATCHSENDER_ALLOWED_PRIVATE_HOSTS`: private hosts and CIDR blocks reachable even
    /// without `allowPrivateNetworks` (self-hosted gateways, an internal SMTP relay).
    public var allowedPrivateHosts = PrivateHostAllowlist()
    public var publicURL: String?
    public var snsCertURLPattern: String
    public var metricsToken: String?
    public var logLevel: Logger.Level
    public var logFormat: LogFormat = .text
    /// Serve HTTPS with these PEM files (CONTRACT §12); `nil` serves plain HTTP.
    public var tls: TLSFiles?
    public var role: Role
    /// `BATCHSENDER_POLL_INTERVAL`: how often an idle engine looks for due work when nothing woke
    /// it. Wake-ups (in process, and `LISTEN/NOTIFY` on PostgreSQL) make it rarely matter; tests
    /// raise it to prove that a wake-up, not a poll, started the work.
    public var pollInterval: Duration = .seconds(1)
    /// `BATCHSENDER_API_RATE_LIMIT`: requests per API key, per process; `nil` is off.
    public var apiRateLimit: APIRateLimit? = .default

    public init(
        database: Database = .sqlite(path: "batchsender.db"), host: String = "127.0.0.1", port: Int = 8080,
        masterKey: String? = nil, allowPrivateNetworks: Bool = false, publicURL: String? = nil,
        snsCertURLPattern: String = AppConfig.defaultSNSCertURLPattern, metricsToken: String? = nil,
        logLevel: Logger.Level = .info, role: Role = .all
    ) {
        self.database = database
        self.host = host
        self.port = port
        self.masterKey = masterKey
        self.allowPrivateNetworks = allowPrivateNetworks
        self.publicURL = publicURL
        self.snsCertURLPattern = snsCertURLPattern
        self.metricsToken = metricsToken
        self.logLevel = logLevel
        self.role = role
    }

    /// The SSRF policy for deliveries, provider endpoints and their validation.
    public var networkPolicy: NetworkPolicy {
        NetworkPolicy(allowPrivateNetworks: allowPrivateNetworks, allowedPrivateHosts: allowedPrivateHosts)
    }

    public static let defaultSNSCertURLPattern = #"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/"#

    /// The SQLite key file for a database path: `PATH.key`.
    public static func keyFilePath(forDatabase path: String) -> String { path + ".key" }
}

/// A setting that could not be understood.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension AppConfig {
    /// The names of the settings: environment variable and flag (CONTRACT §1).
    public enum Setting: String, CaseIterable, Sendable {
        case databaseURL = "BATCHSENDER_DATABASE_URL"
        case host = "BATCHSENDER_HOST"
        case port = "BATCHSENDER_PORT"
        case masterKey = "BATCHSENDER_MASTER_KEY"
        case allowPrivateNetworks = "BATCHSENDER_ALLOW_PRIVATE_NETWORKS"
        case allowedPrivateHosts = "BATCHSENDER_ALLOWED_PRIVATE_HOSTS"
        case publicURL = "BATCHSENDER_PUBLIC_URL"
        case snsCertURLPattern = "BATCHSENDER_SNS_CERT_URL_PATTERN"
        case metricsToken = "BATCHSENDER_METRICS_TOKEN"
        case logLevel = "BATCHSENDER_LOG_LEVEL"
        case pollInterval = "BATCHSENDER_POLL_INTERVAL"
        case apiRateLimit = "BATCHSENDER_API_RATE_LIMIT"
        case logFormat = "BATCHSENDER_LOG_FORMAT"
        case tlsCert = "BATCHSENDER_TLS_CERT"
        case tlsKey = "BATCHSENDER_TLS_KEY"

        /// `--database-url`, `--host`, …
        public var flag: String {
            rawValue.dropFirst("BATCHSENDER_".count).lowercased().replacingOccurrences(of: "_", with: "-")
        }
    }

    /// Resolves settings: a flag wins over the environment, which wins over the default.
    public static func resolve(
        flags: [Setting: String], environment: [String: String], role: Role = .all
    ) throws(ConfigError) -> AppConfig {
        func value(_ s: Setting) -> String? {
            if let flag = flags[s] { return flag }
            if let env = environment[s.rawValue], !env.isEmpty { return env }
            return nil
        }
        var config = AppConfig(role: role)
        if let url = value(.databaseURL) { config.database = try parseDatabase(url) }
        if let host = value(.host) { config.host = host }
        if let raw = value(.port) {
            guard let port = Int(raw), (0...65_535).contains(port) else {
                throw ConfigError("\(Setting.port.rawValue) must be a port number, got \(raw)")
            }
            config.port = port
        }
        config.masterKey = value(.masterKey)
        if let raw = value(.allowPrivateNetworks) {
            guard let flag = parseBool(raw) else {
                throw ConfigError("\(Setting.allowPrivateNetworks.rawValue) must be true or false, got \(raw)")
            }
            config.allowPrivateNetworks = flag
        }
        if let raw = value(.allowedPrivateHosts) {
            do {
                config.allowedPrivateHosts = try PrivateHostAllowlist(parsing: raw)
            } catch {
                throw ConfigError("\(Setting.allowedPrivateHosts.rawValue): \(error.description)")
            }
        }
        config.publicURL = value(.publicURL)
        if let pattern = value(.snsCertURLPattern) {
            guard (try? Regex(pattern)) != nil else {
                throw ConfigError("\(Setting.snsCertURLPattern.rawValue) is not a valid regular expression")
            }
            config.snsCertURLPattern = pattern
        }
        config.metricsToken = value(.metricsToken)
        if let raw = value(.logLevel) {
            guard let level = Logger.Level(rawValue: raw.lowercased()) else {
                throw ConfigError("\(Setting.logLevel.rawValue) must be one of trace, debug, info, notice, warning, error, critical")
            }
            config.logLevel = level
        }
        if let raw = value(.pollInterval) { config.pollInterval = try parsePollInterval(raw) }
        if let raw = value(.apiRateLimit) { config.apiRateLimit = try parseAPIRateLimit(raw) }
        try config.resolveLogFormatAndTLS(value)
        switch config.database {
        case .sqlite where role != .all:
            throw ConfigError("with SQLite only --role all is allowed: one process owns the database")
        case .postgres where config.masterKey == nil:
            // Several processes share the database, so no key file beside it can be the key.
            throw ConfigError("\(Setting.masterKey.rawValue) is required with PostgreSQL (base64 of 32 bytes)")
        default: break
        }
        return config
    }

    /// `sqlite:PATH` (also `sqlite://PATH`) or `postgres://…`.
    static func parseDatabase(_ url: String) throws(ConfigError) -> Database {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw ConfigError("\(Setting.databaseURL.rawValue) sqlite: needs a file path") }
            return .sqlite(path: path)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            do {
                return .postgres(try PostgresConfiguration(url: url))
            } catch {
                throw ConfigError("\(Setting.databaseURL.rawValue): \(error.description)")
            }
        }
        throw ConfigError("\(Setting.databaseURL.rawValue) must be sqlite:PATH or postgres://user:pass@host:port/db")
    }

    /// Seconds, from 0.01 to 3600 (`0.5`, `60`).
    static func parsePollInterval(_ raw: String) throws(ConfigError) -> Duration {
        guard let seconds = Double(raw.trimmingCharacters(in: .whitespaces)), seconds.isFinite, (0.01...3600).contains(seconds)
        else {
            throw ConfigError("\(Setting.pollInterval.rawValue) must be a number of seconds from 0.01 to 3600, got \(raw)")
        }
        return .milliseconds(Int((seconds * 1000).rounded()))
    }

    /// `N/s` or `N/m`, optionally `,burst=B`, or `0` for no limit (see `APIRateLimit`).
    static func parseAPIRateLimit(_ raw: String) throws(ConfigError) -> APIRateLimit? {
        do {
            return try APIRateLimit.parse(raw)
        } catch {
            throw ConfigError(
                "\(Setting.apiRateLimit.rawValue) must be N/s or N/m with N from 1 to 1000000, optionally followed by "
                    + ",burst=B with B from 1 to 10000000, or 0 for no limit; got \(raw)")
        }
    }

    static func parseBool(_ raw: String) -> Bool? {
        switch raw.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }
}
