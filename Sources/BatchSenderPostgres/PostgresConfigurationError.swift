/// Why a database URL or setting was refused; `description` is the one line a command prints.
public enum PostgresConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not a parseable URL at all.
    case malformedURL
    /// A scheme other than `postgres` or `postgresql`.
    case unsupportedScheme(String)
    case missingUsername
    case missingHost
    /// A port that is not a number in 1...65535.
    case invalidPort(String)
    case missingDatabase
    /// An `sslmode` other than `disable`, `prefer`, `require` or `verify-full`.
    case unsupportedSSLMode(String)
    /// A query parameter this driver does not know (refused rather than silently ignored).
    case unknownParameter(String)
    /// A query parameter given twice or without a value.
    case invalidParameter(String)
    /// `sslrootcert` with `sslmode=disable`, where it could not be used.
    case rootCertificateWithoutTLS
    /// The `sslrootcert` file could not be read as PEM certificates.
    case unreadableRootCertificate(path: String)
    /// A schema name that is not a plain lower-case identifier.
    case invalidSchema(String)
    /// A pool size below 1.
    case invalidPoolSize(Int)

    public var description: String {
        let expected = "expected postgres://user:password@host:port/database[?sslmode=…&sslrootcert=…]"
        switch self {
        case .malformedURL: return "the database URL is malformed; \(expected)"
        case .unsupportedScheme(let scheme): return "the database URL scheme \(scheme) is not postgres or postgresql"
        case .missingUsername: return "the database URL names no user; \(expected)"
        case .missingHost: return "the database URL names no host; \(expected)"
        case .invalidPort(let port): return "the database URL port \(port) is not a number from 1 to 65535"
        case .missingDatabase: return "the database URL names no database; \(expected)"
        case .unsupportedSSLMode(let mode):
            return "sslmode=\(mode) is not supported; use disable, prefer, require or verify-full"
        case .unknownParameter(let name):
            return "the database URL parameter \(name) is not supported; use sslmode and sslrootcert"
        case .invalidParameter(let name): return "the database URL parameter \(name) is repeated or has no value"
        case .rootCertificateWithoutTLS: return "sslrootcert needs an sslmode other than disable"
        case .unreadableRootCertificate(let path): return "sslrootcert \(path) is not a readable PEM certificate file"
        case .invalidSchema(let schema): return "the schema name \(schema) must be lower-case letters, digits and _"
        case .invalidPoolSize(let size): return "the connection pool size \(size) must be at least 1"
        }
    }
}
