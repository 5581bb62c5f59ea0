import BatchSenderPostgres
import Foundation
import PostgresNIO
import Testing

/// Each `sslmode` against the test server, which offers TLS with a certificate for 127.0.0.1 and
/// localhost signed by `BATCHSENDER_TEST_DATABASE_CA`.
@Suite("PostgreSQL TLS", .enabled(if: TestDatabase.hasTLS, TestDatabase.noTLSReason))
struct PostgresTLSTests {
    /// Whether the store's connection is encrypted, as the server sees it.
    static func encrypted(_ configure: (inout PostgresConfiguration) -> Void) async throws -> Bool {
        var configuration = try TestDatabase.freshConfiguration()
        configure(&configuration)
        return try await TestDatabase.withRunningStore(configuration) { store in
            let rows = try await store.client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").collect()
            return try #require(rows.first).decode(Bool.self)
        }
    }

    @Test("sslmode=disable connects in the clear")
    func disable() async throws {
        #expect(try await Self.encrypted { $0.sslMode = .disable } == false)
    }

    @Test("sslmode=prefer uses the TLS the server offers")
    func prefer() async throws {
        #expect(try await Self.encrypted { $0.sslMode = .prefer } == true)
    }

    @Test("sslmode=require encrypts without checking the certificate")
    func require() async throws {
        #expect(try await Self.encrypted { $0.sslMode = .require } == true)
    }

    @Test("sslmode=require with sslrootcert checks the chain")
    func requireWithRoot() async throws {
        #expect(
            try await Self.encrypted {
                $0.sslMode = .require
                $0.sslRootCertificatePath = TestDatabase.certificateAuthority
            } == true)
    }

    @Test("sslmode=verify-full with sslrootcert, by address and by host name", arguments: ["127.0.0.1", "localhost"])
    func verifyFull(_ host: String) async throws {
        #expect(
            try await Self.encrypted {
                $0.host = host
                $0.sslMode = .verifyFull
                $0.sslRootCertificatePath = TestDatabase.certificateAuthority
            } == true)
    }

    @Test("the URL form of the same settings")
    func fromURL() async throws {
        let url = try #require(TestDatabase.url)
        let ca = try #require(TestDatabase.certificateAuthority)
        let configuration = try PostgresConfiguration(url: "\(url)?sslmode=verify-full&sslrootcert=\(ca)")
        #expect(configuration.sslMode == .verifyFull)
        #expect(try await Self.encrypted { $0 = configuration } == true)
    }

    @Test("sslmode=verify-full refuses a server whose certificate authority is not trusted")
    func verifyFullUntrusted() async throws {
        var configuration = try TestDatabase.freshConfiguration()
        configuration.sslMode = .verifyFull  // the system's roots: the test CA is not among them
        let store = try PostgresStore(configuration: configuration, readinessTimeout: .seconds(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            await #expect(throws: PostgresStoreError.unreachable) { try await store.checkReady() }
        }
    }
}
