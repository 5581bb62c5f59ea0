import PostgresNIO

extension PostgresConfiguration {
    /// The pool's configuration. Reads the `sslrootcert` file now, so an unreadable one fails at
    /// start with a clear error instead of at the first connection with a TLS one.
    func clientConfiguration() throws(PostgresConfigurationError) -> PostgresClient.Configuration {
        try validate()
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: try tls())
        configuration.options.maximumConnections = maximumConnections
        if let schema {
            // A startup parameter: every pooled connection, including reconnections, gets it.
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        configuration.options.additionalStartupParameters.append(("application_name", "batchsender"))
        return configuration
    }

    private func tls() throws(PostgresConfigurationError) -> PostgresClient.Configuration.TLS {
        switch try tlsChoice() {
        case .disable: .disable
        case .prefer(let tls): .prefer(tls)
        case .require(let tls): .require(tls)
        }
    }

    /// What `sslmode` and `sslrootcert` ask for; shared by the pool and the wake-up listener's
    /// own connection (`PostgresConfiguration+Listener.swift`).
    enum TLSChoice {
        case disable
        case prefer(TLSConfiguration)
        case require(TLSConfiguration)
    }

    func tlsChoice() throws(PostgresConfigurationError) -> TLSChoice {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let sslRootCertificatePath {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(sslRootCertificatePath))
            } catch {
                throw .unreadableRootCertificate(path: sslRootCertificatePath)
            }
        }
        switch sslMode {
        case .disable:
            return .disable
        case .prefer:
            tls.certificateVerification = .none
            return .prefer(tls)
        case .require:
            // As libpq: with a root certificate the chain is checked (verify-ca), else nothing is.
            tls.certificateVerification = sslRootCertificatePath == nil ? .none : .noHostnameVerification
            return .require(tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return .require(tls)
        }
    }
}
