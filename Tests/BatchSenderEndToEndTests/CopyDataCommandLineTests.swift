import Foundation
import Testing

/// `batchsender copy-data` between SQLite files: one line per table on stdout, one line on stderr
/// when it refuses (no PostgreSQL needed).
@Suite struct CopyDataCommandLineTests {
    let environment = ["BATCHSENDER_MASTER_KEY": ""]

    @Test func printsOneLinePerTable() throws {
        let source = Binary.temporaryDatabase()
        #expect(try Binary.run(["keys", "create", "--name", "a", "--database-url", "sqlite:\(source)"], environment: environment).0 == 0)
        let target = Binary.temporaryDatabase()
        let (code, out, err) = try Binary.run(["copy-data", "--from", "sqlite:\(source)", "--to", "sqlite:\(target)"], environment: environment)
        #expect(code == 0, "\(err)")
        #expect(out == """
            workspaces: 1 copied
            api_keys: 1 copied
            users: 0 copied
            send_configs: 0 copied
            batches: 0 copied
            recipients: 0 copied
            suppressions: 0 copied
            idempotency_keys: 0 copied
            provider_events: 0 copied
            sandbox_messages: 0 copied

            """)
        #expect(err.isEmpty, "\(err)")
    }

    @Test func refusalsAreOneLineOnStderr() async throws {
        let source = Binary.temporaryDatabase()
        let (server, _) = try await ServerProcess.started(databasePath: source, environment: environment)
        defer { server.kill9() }
        let cases: [([String], String)] = [
            (["--from", "mysql://x", "--to", "sqlite:/tmp/y.db"], "--from must be sqlite:PATH or postgres://"),
            (["--from", "sqlite:\(source)", "--to", "sqlite:\(Binary.temporaryDatabase())"],
                "a batchsender server is using the source \(source): stop it before copying"),
            (["--from", "sqlite:\(source)", "--to", "postgres://u@127.0.0.1:1/db"],
                "a PostgreSQL target needs"),
        ]
        for (arguments, message) in cases {
            let (code, out, err) = try Binary.run(["copy-data"] + arguments, environment: environment)
            #expect(code == 1, "\(arguments)")
            #expect(out.isEmpty)
            #expect(err.split(separator: "\n").count == 1, "\(err)")
            #expect(err.contains(message), "\(err)")
        }
    }
}
