import BatchSenderCore

extension AppConfig {
    /// The two PEM files of `BATCHSENDER_TLS_CERT` and `BATCHSENDER_TLS_KEY`. Only their paths
    /// are settings; `ServerTLS` reads and checks the files when the server starts.
    public struct TLSFiles: Sendable, Equatable {
        /// The server certificate, optionally followed by its intermediates.
        public var certificatePath: String
        /// The certificate's private key, unencrypted.
        public var keyPath: String

        public init(certificatePath: String, keyPath: String) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
        }
    }

    /// `BATCHSENDER_LOG_FORMAT`, and the TLS pair: both files or neither, since a certificate
    /// without its key (or the reverse) is a mistake, not a request for plain HTTP.
    mutating func resolveLogFormatAndTLS(_ value: (Setting) -> String?) throws(ConfigError) {
        if let raw = value(.logFormat) {
            guard let format = LogFormat(rawValue: raw.lowercased()) else {
                throw ConfigError("\(Setting.logFormat.rawValue) must be text or json, got \(raw)")
            }
            logFormat = format
        }
        switch (value(.tlsCert), value(.tlsKey)) {
        case (nil, nil): tls = nil
        case (let cert?, let key?): tls = TLSFiles(certificatePath: cert, keyPath: key)
        case (_?, nil):
            throw ConfigError("\(Setting.tlsCert.rawValue) is set without \(Setting.tlsKey.rawValue): HTTPS needs both files")
        case (nil, _?):
            throw ConfigError("\(Setting.tlsKey.rawValue) is set without \(Setting.tlsCert.rawValue): HTTPS needs both files")
        }
    }
}
