import BatchSenderPostgres
import Foundation
import Testing

/// The database URL parser: no database needed.
@Suite("PostgresConfiguration")
struct PostgresConfigurationTests {
    @Test("a full URL, percent-escapes decoded")
    func fullURL() throws {
        let configuration = try PostgresConfiguration(
            url: "postgres://bs%20user:p%40ss:w%2Frd@db.example.com:6543/batch%2Dsender?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem")
        #expect(configuration.username == "bs user")
        #expect(configuration.password == "p@ss:w/rd")
        #expect(configuration.host == "db.example.com")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "batch-sender")
        #expect(configuration.sslMode == .verifyFull)
        #expect(configuration.sslRootCertificatePath == "/etc/ssl/ca.pem")
        #expect(configuration.schema == nil)
        #expect(configuration.maximumConnections == PostgresConfiguration.defaultMaximumConnections)
    }

    @Test("postgresql:// and libpq's defaults: port 5432, sslmode prefer, no password")
    func defaults() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://app@localhost/app")
        #expect(configuration == PostgresConfiguration(host: "localhost", username: "app", password: nil, database: "app"))
        #expect(configuration.port == 5432)
        #expect(configuration.sslMode == .prefer)
    }

    @Test("an unescaped @ in the password: the last @ ends the user information")
    func atInPassword() throws {
        let configuration = try PostgresConfiguration(url: "postgres://u:a@b@127.0.0.1:5432/db")
        #expect(configuration.password == "a@b")
        #expect(configuration.host == "127.0.0.1")
    }

    @Test("an empty password is a password")
    func emptyPassword() throws {
        #expect(try PostgresConfiguration(url: "postgres://u:@h/db").password == "")
    }

    @Test("IPv6 hosts in brackets")
    func ipv6() throws {
        let configuration = try PostgresConfiguration(url: "postgres://u:p@[::1]:5433/db")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5433)
        #expect(try PostgresConfiguration(url: "postgres://u@[fe80::1]/db").port == 5432)
        #expect(configuration.description == "postgres://u:***@[::1]:5433/db?sslmode=prefer")
    }

    @Test("every sslmode", arguments: PostgresSSLMode.allCases)
    func sslModes(_ mode: PostgresSSLMode) throws {
        #expect(try PostgresConfiguration(url: "postgres://u@h/db?sslmode=\(mode.rawValue)").sslMode == mode)
    }

    @Test("the description never shows the password")
    func description() throws {
        let configuration = try PostgresConfiguration(url: "postgres://u:secret@h:1/db?sslmode=require&sslrootcert=/ca.pem")
        #expect(configuration.description == "postgres://u:***@h:1/db?sslmode=require&sslrootcert=/ca.pem")
        #expect(!String(describing: configuration).contains("secret"))
    }

    @Test(
        "malformed URLs are refused with a clear error",
        arguments: [
            ("", PostgresConfigurationError.malformedURL),
            ("not a url", .malformedURL),
            ("://u@h/db", .malformedURL),
            ("mysql://u@h/db", .unsupportedScheme("mysql")),
            ("sqlite://u@h/db", .unsupportedScheme("sqlite")),
            ("postgres://h/db", .missingUsername),
            ("postgres://:p@h/db", .missingUsername),
            ("postgres://u@/db", .missingHost),
            ("postgres://u@:5432/db", .missingHost),
            ("postgres://u@h:abc/db", .invalidPort("abc")),
            ("postgres://u@h:0/db", .invalidPort("0")),
            ("postgres://u@h:65536/db", .invalidPort("65536")),
            ("postgres://u@h:/db", .invalidPort("")),
            ("postgres://u@h", .missingDatabase),
            ("postgres://u@h/", .missingDatabase),
            ("postgres://u@h/a/b", .malformedURL),
            ("postgres://u@h/db#x", .malformedURL),
            ("postgres://u@[::1/db", .malformedURL),
            ("postgres://u@h/db?sslmode=verify-ca", .unsupportedSSLMode("verify-ca")),
            ("postgres://u@h/db?sslmode=REQUIRE", .unsupportedSSLMode("REQUIRE")),
            ("postgres://u@h/db?sslmod=require", .unknownParameter("sslmod")),
            ("postgres://u@h/db?application_name=x", .unknownParameter("application_name")),
            ("postgres://u@h/db?sslmode=require&sslmode=disable", .invalidParameter("sslmode")),
            ("postgres://u@h/db?sslmode=", .invalidParameter("sslmode")),
            ("postgres://u@h/db?sslmode", .invalidParameter("sslmode")),
            ("postgres://u@h/db?sslmode=disable&sslrootcert=/ca.pem", .rootCertificateWithoutTLS),
            ("postgres://u%zz@h/db", .malformedURL),
        ])
    func malformed(_ url: String, _ expected: PostgresConfigurationError) {
        #expect(throws: expected) { try PostgresConfiguration(url: url) }
    }

    @Test("every error reads as one line")
    func errorDescriptions() {
        let errors: [PostgresConfigurationError] = [
            .malformedURL, .unsupportedScheme("x"), .missingUsername, .missingHost, .invalidPort("x"), .missingDatabase,
            .unsupportedSSLMode("x"), .unknownParameter("x"), .invalidParameter("x"), .rootCertificateWithoutTLS,
            .unreadableRootCertificate(path: "/x"), .invalidSchema("X"), .invalidPoolSize(0),
        ]
        for error in errors {
            #expect(!error.description.isEmpty && !error.description.contains("\n"))
        }
    }

    @Test("a store refuses an unreadable sslrootcert before connecting")
    func unreadableRootCertificate() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString).pem").path
        let configuration = try PostgresConfiguration(url: "postgres://u@127.0.0.1/db?sslmode=verify-full&sslrootcert=\(path)")
        #expect(throws: PostgresConfigurationError.unreadableRootCertificate(path: path)) {
            _ = try PostgresStore(configuration: configuration)
        }
    }

    @Test("a store refuses schema names that are not plain identifiers", arguments: ["Public", "a-b", "1a", "a;drop", ""])
    func invalidSchema(_ schema: String) throws {
        var configuration = try PostgresConfiguration(url: "postgres://u@127.0.0.1/db?sslmode=disable")
        configuration.schema = schema
        #expect(throws: PostgresConfigurationError.invalidSchema(schema)) { _ = try PostgresStore(configuration: configuration) }
    }

    @Test("a store refuses a pool without connections")
    func invalidPoolSize() throws {
        var configuration = try PostgresConfiguration(url: "postgres://u@127.0.0.1/db?sslmode=disable")
        configuration.maximumConnections = 0
        #expect(throws: PostgresConfigurationError.invalidPoolSize(0)) { _ = try PostgresStore(configuration: configuration) }
    }

    @Test("a store accepts a valid configuration without connecting", arguments: ["disable", "prefer", "require", "verify-full"])
    func validStore(_ mode: String) throws {
        var configuration = try PostgresConfiguration(url: "postgres://u:p@127.0.0.1:1/db?sslmode=\(mode)")
        configuration.schema = "tenant_1"
        let store = try PostgresStore(configuration: configuration)
        #expect(store.configuration == configuration)
    }
}

/// Readiness without a server: no database needed.
@Test("checkReady reports an unreachable database instead of waiting for the pool's retries")
func unreachableDatabase() async throws {
    // Port 1 on loopback: nothing listens there, so every connection attempt is refused.
    let configuration = try PostgresConfiguration(url: "postgres://u:p@127.0.0.1:1/db?sslmode=disable")
    let store = try PostgresStore(configuration: configuration, readinessTimeout: .milliseconds(500))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await store.run() }
        defer { group.cancelAll() }
        await #expect(throws: PostgresStoreError.unreachable) { try await store.checkReady() }
    }
}
