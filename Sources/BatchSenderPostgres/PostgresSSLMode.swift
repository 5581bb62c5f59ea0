/// How the connection to PostgreSQL uses TLS: the `sslmode` of a database URL, with libpq's meanings.
public enum PostgresSSLMode: String, CaseIterable, Hashable, Sendable {
    /// Plain TCP only.
    case disable
    /// TLS when the server offers it, plain otherwise; the certificate is not checked (libpq's default).
    case prefer
    /// TLS or no connection. The certificate is checked against `sslrootcert` when one is given
    /// (libpq's `verify-ca` behaviour), not at all otherwise.
    case require
    /// TLS with the certificate checked against `sslrootcert` (or the system's roots) and the host name.
    case verifyFull = "verify-full"
}
