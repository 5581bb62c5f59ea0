/// Where and how to reach PostgreSQL: a typed database URL plus the driver's pool settings.
///
/// Made from `BATCHSENDER_DATABASE_URL` with `init(url:)`, which refuses anything it would have to
/// guess about. The password never appears in `description`.
public struct PostgresConfiguration: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: PostgresSSLMode
    /// A PEM file of the certificate authorities to trust (`sslrootcert`).
    public var sslRootCertificatePath: String?
    /// The schema the store's tables live in (the connections' `search_path`); `nil` uses the
    /// server's default (`public`). Tests give each case its own.
    public var schema: String?
    /// The most connections the pool opens. Each process needs a few (API requests, the claim
    /// loop, completions, maintenance); PostgreSQL's default `max_connections` is 100 for all of them.
    public var maximumConnections: Int

    /// The pool size when none is configured.
    public static let defaultMaximumConnections = 10

    public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String,
        sslMode: PostgresSSLMode = .prefer, sslRootCertificatePath: String? = nil, schema: String? = nil,
        maximumConnections: Int = PostgresConfiguration.defaultMaximumConnections
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.sslRootCertificatePath = sslRootCertificatePath
        self.schema = schema
        self.maximumConnections = maximumConnections
    }

    /// The URL without its password, for logs and messages.
    public var description: String {
        var text = "postgres://\(username)\(password == nil ? "" : ":***")@\(host.contains(":") ? "[\(host)]" : host)"
        text += ":\(port)/\(database)?sslmode=\(sslMode.rawValue)"
        if let sslRootCertificatePath { text += "&sslrootcert=\(sslRootCertificatePath)" }
        return text
    }

    /// Throws unless the settings outside the URL are usable.
    func validate() throws(PostgresConfigurationError) {
        guard maximumConnections >= 1 else { throw .invalidPoolSize(maximumConnections) }
        if let schema { try Self.validate(schema: schema) }
    }

    /// Schema names are spliced into `search_path` and DDL, so only plain identifiers are allowed.
    static func validate(schema: String) throws(PostgresConfigurationError) {
        let allowed = schema.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_")
        }
        guard allowed, let first = schema.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")),
            schema.utf8.count <= 63
        else { throw .invalidSchema(schema) }
    }
}
