import PostgresNIO

extension PostgresConfiguration {
    /// The `LISTEN/NOTIFY` channel of wake-ups: `batchsender`, or `batchsender_<schema>` with a
    /// schema, so deployments that share a database in separate schemas do not wake each other.
    /// Cut to 63 bytes, PostgreSQL's longest identifier (`pg_notify` refuses longer channel names).
    public var wakeupChannel: String {
        guard let schema else { return "batchsender" }
        return String("batchsender_\(schema)".utf8.prefix(63)) ?? "batchsender"
    }

    /// A single connection like the pool's (same server, credentials, TLS and `search_path`), for
    /// the wake-up listener, which holds it for as long as it listens.
    func listenerConnectionConfiguration(origin: PostgresWakeupOrigin) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch try tlsChoice() {
            case .disable: .disable
            case .prefer(let tls): .prefer(try NIOSSLContext(configuration: tls))
            case .require(let tls): .require(try NIOSSLContext(configuration: tls))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        // Named with the process's tag, so an operator (and a test) can find the session in
        // pg_stat_activity: `batchsender-listener-` and 12 characters, within the 63 kept.
        configuration.options.additionalStartupParameters.append(("application_name", "batchsender-listener-\(origin.rawValue)"))
        return configuration
    }
}
