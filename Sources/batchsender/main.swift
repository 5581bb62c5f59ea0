import ArgumentParser
import BatchSenderApp
import BatchSenderCore
import Foundation
import Hummingbird
import Logging

/// The `batchsender` command: argument parsing only; everything else is `BatchSenderApp`.
@main
struct BatchSenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batchsender",
        abstract: "Delivers large batches of personalized messages through real providers.",
        subcommands: [Serve.self, Migrate.self, Keys.self, Users.self, CopyData.self])
}

/// Every setting of CONTRACT §1 as a flag; each falls back to its environment variable.
struct Settings: ParsableArguments {
    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db [env: BATCHSENDER_DATABASE_URL]")
    var databaseURL: String?
    @Option(help: "HTTP listen host [env: BATCHSENDER_HOST]") var host: String?
    @Option(help: "HTTP listen port [env: BATCHSENDER_PORT]") var port: String?
    @Option(help: "base64 of 32 bytes that encrypts stored credentials [env: BATCHSENDER_MASTER_KEY]")
    var masterKey: String?
    @Option(help: "allow deliveries to private addresses: true|false [env: BATCHSENDER_ALLOW_PRIVATE_NETWORKS]")
    var allowPrivateNetworks: String?
    @Option(help: "private hosts and CIDRs providers may reach anyway, comma-separated [env: BATCHSENDER_ALLOWED_PRIVATE_HOSTS]")
    var allowedPrivateHosts: String?
    @Option(help: "base URL providers use to reach us [env: BATCHSENDER_PUBLIC_URL]") var publicURL: String?
    @Option(help: "where SNS signing certificates may come from [env: BATCHSENDER_SNS_CERT_URL_PATTERN]")
    var snsCertURLPattern: String?
    @Option(help: "bearer token that /metrics requires [env: BATCHSENDER_METRICS_TOKEN]") var metricsToken: String?
    @Option(help: "trace|debug|info|notice|warning|error|critical [env: BATCHSENDER_LOG_LEVEL]") var logLevel: String?
    @Option(help: "seconds an idle worker waits before looking for work unprompted (default 1) [env: BATCHSENDER_POLL_INTERVAL]")
    var pollInterval: String?
    @Option(help: """
        requests per API key and process: N/s or N/m, optionally ,burst=B (default burst 2×N), or 0 for \
        no limit (default 100/s,burst=200) [env: BATCHSENDER_API_RATE_LIMIT]
        """)
    var apiRateLimit: String?
    @Option(help: "text|json: json writes one JSON object per log line [env: BATCHSENDER_LOG_FORMAT]") var logFormat: String?
    @Option(help: "PEM certificate (chain) file: serve HTTPS only, with --tls-key [env: BATCHSENDER_TLS_CERT]")
    var tlsCert: String?
    @Option(help: "PEM private key file of --tls-cert [env: BATCHSENDER_TLS_KEY]") var tlsKey: String?

    func resolve(role: AppConfig.Role = .all) throws -> AppConfig {
        let pairs: [(AppConfig.Setting, String?)] = [
            (.databaseURL, databaseURL), (.host, host), (.port, port), (.masterKey, masterKey),
            (.allowPrivateNetworks, allowPrivateNetworks), (.allowedPrivateHosts, allowedPrivateHosts), (.publicURL, publicURL),
            (.snsCertURLPattern, snsCertURLPattern), (.metricsToken, metricsToken), (.logLevel, logLevel),
            (.pollInterval, pollInterval), (.apiRateLimit, apiRateLimit), (.logFormat, logFormat), (.tlsCert, tlsCert), (.tlsKey, tlsKey),
        ]
        var flags: [AppConfig.Setting: String] = [:]
        for (setting, value) in pairs { if let value { flags[setting] = value } }
        // A ConfigError, not a ValidationError: bad settings are one line on stderr, without usage.
        return try AppConfig.resolve(flags: flags, environment: ProcessInfo.processInfo.environment, role: role)
    }

    /// The command's logger; installs the log format first, so every logger made later uses it.
    func logger(_ config: AppConfig) -> Logger {
        config.logFormat.bootstrap()
        var logger = Logger(label: "batchsender")
        logger.logLevel = config.logLevel
        return logger
    }
}

extension AppConfig.Role: ExpressibleByArgument {}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the API, dashboard and workers.")
    @OptionGroup var settings: Settings
    @Option(help: "all | api | worker") var role: AppConfig.Role = .all

    func run() async throws {
        let config = try settings.resolve(role: role)
        let logger = settings.logger(config)
        try await BatchSender.serve(config, logger: logger) { line in
            // Unbuffered, so a supervisor reading our stdout sees the line at once.
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations and exit.")
    @OptionGroup var settings: Settings

    func run() async throws {
        let config = try settings.resolve()
        try await BatchSender.withStore(config, logger: settings.logger(config)) { _ in }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key and print it (and nothing else) on stdout.")
        @OptionGroup var settings: Settings
        @Option(help: "a name to recognise the key by") var name: String
        @Option(help: "workspace slug; created if it does not exist") var workspace: String = "default"
        @Option(help: "what the key may do, comma-separated: admin, send, read") var scopes: String = "admin"

        func run() async throws {
            let names = scopes.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let parsed: [APIScope]
            switch APIScope.parse(names) {
            case .success(let valid): parsed = valid
            case .failure(let error): throw ConfigError("--scopes: \(error.message)")
            }
            let config = try settings.resolve()
            let key = try await BatchSender.withStore(config, logger: settings.logger(config)) { store in
                try await BatchSender.createKey(name: name, workspaceSlug: workspace, scopes: parsed, in: store)
            }
            print(key)
        }
    }
}

extension UserRole: ExpressibleByArgument {}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage dashboard users.",
        discussion: """
            The password is read from the first line of stdin (so it stays out of the shell history \
            and the process list): at least \(PasswordPolicy.minimumCharacters) characters and at most \
            \(PasswordPolicy.maximumBytes) bytes, bcrypt's limit.
            """,
        subcommands: [Create.self, Passwd.self])

    /// The first line of stdin, without its line break; `nil` when stdin is empty.
    static func passwordFromStdin() -> String? { readLine(strippingNewline: true) }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a dashboard user; the password is the first line of stdin.")
        @OptionGroup var settings: Settings
        @Option(help: "the user's email address (unique, case-insensitively)") var email: String
        @Option(help: "workspace slug; created if it does not exist") var workspace: String
        @Option(help: "admin | member | viewer") var role: UserRole = .member

        func run() async throws {
            let config = try settings.resolve()
            let password = Users.passwordFromStdin()
            let user = try await BatchSender.withStore(config, logger: settings.logger(config)) { store in
                try await BatchSender.createUser(email: email, workspaceSlug: workspace, role: role, password: password, in: store)
            }
            print(user.id)
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a dashboard user's password; the new one is the first line of stdin.")
        @OptionGroup var settings: Settings
        @Option(help: "the user's email address") var email: String

        func run() async throws {
            let config = try settings.resolve()
            let password = Users.passwordFromStdin()
            try await BatchSender.withStore(config, logger: settings.logger(config)) { store in
                try await BatchSender.changePassword(email: email, password: password, in: store)
            }
        }
    }
}

struct CopyData: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-data",
        abstract: "Copy everything from one database into another, empty one (SQLite or PostgreSQL, either way).",
        discussion: """
            Prints one line per table (`recipients: 100000 copied`) and verifies the counts. Stop every \
            server using either database first. Credentials are re-sealed when the master keys differ.
            """)
    @Option(help: "the database to copy from: sqlite:PATH or postgres://user:pass@host:port/db") var from: String
    @Option(help: "the database to copy into (migrated first; must be empty unless --force)") var to: String
    @Option(help: "the source's master key, base64 (default: BATCHSENDER_MASTER_KEY or, for SQLite, PATH.key)")
    var fromMasterKey: String?
    @Option(help: "the target's master key, base64 (default: BATCHSENDER_MASTER_KEY or, for SQLite, PATH.key or the source's)")
    var toMasterKey: String?
    @Flag(help: "replace the contents of a non-empty target") var force = false
    @Option(help: "rows read per page") var pageSize = 5_000

    func run() async throws {
        if let raw = ProcessInfo.processInfo.environment[AppConfig.Setting.logFormat.rawValue], !raw.isEmpty {
            guard let format = LogFormat(rawValue: raw.lowercased()) else {
                throw ConfigError("\(AppConfig.Setting.logFormat.rawValue) must be text or json, got \(raw)")
            }
            format.bootstrap()
        }
        var logger = Logger(label: "batchsender")
        let level = ProcessInfo.processInfo.environment[AppConfig.Setting.logLevel.rawValue].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        logger.logLevel = level ?? .warning
        try await BatchSender.copyData(
            CopyDataRequest(
                from: from, to: to, fromMasterKey: fromMasterKey, toMasterKey: toMasterKey, force: force, pageSize: pageSize),
            logger: logger
        ) { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    }
}
