import Foundation
import Testing

/// `batchsender users create|passwd` and `keys create --scopes` as an operator runs them
/// (CONTRACT §1, §10).
@Suite(.serialized) struct UsersCommandLineTests {
    let database = Binary.temporaryDatabase()
    var environment: [String: String] { ["BATCHSENDER_DATABASE_URL": "sqlite:\(database)"] }

    @Test func usersCreateAndPasswdReadThePasswordFromStdin() async throws {
        let password = "first-Pa55word"
        let (code, out, err) = try Binary.run(
            ["users", "create", "--email", "Ops@Example.com", "--workspace", "acme", "--role", "admin"],
            environment: environment, input: password + "\n")
        #expect(code == 0, "\(err)")
        #expect(out.trimmingCharacters(in: .newlines).hasPrefix("usr_"), "\(out)")
        #expect(!out.contains(password) && !err.contains(password))

        // The same email in any case is taken, in any workspace.
        let (twice, _, twiceErr) = try Binary.run(
            ["users", "create", "--email", "ops@example.com", "--workspace", "other"], environment: environment,
            input: "another-password\n")
        #expect(twice != 0)
        #expect(twiceErr.contains("already exists") && twiceErr.split(separator: "\n").count == 1, "\(twiceErr)")

        let before = try passwordHash("ops@example.com")
        #expect(before.hasPrefix("$2b$12$"), "bcrypt at cost 12")
        let newPassword = "second-Pa55word"
        let (changed, changedOut, changedErr) = try Binary.run(
            ["users", "passwd", "--email", "OPS@example.com"], environment: environment, input: newPassword + "\r\n")
        #expect(changed == 0, "\(changedErr)")
        #expect(!changedOut.contains(newPassword) && !changedErr.contains(newPassword))
        let after = try passwordHash("ops@example.com")
        #expect(after.hasPrefix("$2b$12$") && after != before)

        let (unknown, _, unknownErr) = try Binary.run(
            ["users", "passwd", "--email", "nobody@example.com"], environment: environment, input: "whatever-long\n")
        #expect(unknown != 0)
        #expect(unknownErr.contains("no user with email nobody@example.com"), "\(unknownErr)")

        // The users are there for admin keys of their workspace, without any secret.
        let key = try createKey(["--workspace", "acme"])
        let server = try ServerProcess(databasePath: database)
        try await server.waitUntilHealthy()
        let (status, list) = try await server.request("GET", "/v1/users", key: key)
        #expect(status == 200, "\(list)")
        #expect(list.contains("Ops@Example.com") && list.contains("\"role\":\"admin\""), "\(list)")
        #expect(!list.contains("$2b$") && !list.contains(password) && !list.contains(newPassword))
        #expect(await server.terminate() == 0)
        let logs = server.readOutput() + server.readError()
        #expect(!logs.contains(password) && !logs.contains(newPassword) && !logs.contains("$2b$"))
    }

    @Test func badPasswordsAreRefusedInOneLine() throws {
        let cases: [(String?, String)] = [
            (nil, "no password"),
            ("\n", "must not be empty"),
            ("short\n", "at least 8 characters"),
            (String(repeating: "x", count: 73) + "\n", "at most 72 bytes"),
        ]
        for (input, message) in cases {
            let (code, out, err) = try Binary.run(
                ["users", "create", "--email", "a@example.com", "--workspace", "acme"], environment: environment,
                input: input ?? "")
            #expect(code != 0, "\(message)")
            #expect(out.isEmpty)
            #expect(err.contains(message) && err.split(separator: "\n").count == 1, "\(err)")
        }
        let (badEmail, _, badEmailErr) = try Binary.run(
            ["users", "create", "--email", "nope", "--workspace", "acme"], environment: environment, input: "12345678\n")
        #expect(badEmail != 0)
        #expect(badEmailErr.contains("--email"), "\(badEmailErr)")
        let (badRole, _, _) = try Binary.run(
            ["users", "create", "--email", "a@example.com", "--workspace", "acme", "--role", "owner"], environment: environment,
            input: "12345678\n")
        #expect(badRole != 0)
    }

    @Test func keysCreateWithScopes() async throws {
        let reader = try createKey(["--scopes", "read"])
        let sender = try createKey(["--scopes", "send,read"])
        let admin = try createKey([])
        for bad in ["", "write", "read,read", "read,"] {
            let (code, out, err) = try Binary.run(["keys", "create", "--name", "x", "--scopes", bad], environment: environment)
            #expect(code != 0, "\(bad)")
            #expect(out.isEmpty)
            #expect(err.contains("--scopes") && err.split(separator: "\n").count == 1, "\(bad): \(err)")
        }
        let server = try ServerProcess(databasePath: database)
        try await server.waitUntilHealthy()
        let suppression = #"{"address":"a@example.com"}"#
        #expect(try await server.request("GET", "/v1/batches", key: reader).0 == 200)
        #expect(try await server.request("POST", "/v1/suppressions", key: reader, body: suppression).0 == 403)
        #expect(try await server.request("POST", "/v1/suppressions", key: sender, body: suppression).0 == 201)
        #expect(try await server.request("POST", "/v1/api-keys", key: sender, body: #"{"name":"n"}"#).0 == 403)
        let (listed, list) = try await server.request("GET", "/v1/api-keys", key: admin)
        #expect(listed == 200)
        #expect(list.contains(#""scopes":["send","read"]"#) && list.contains(#""scopes":["read"]"#), "\(list)")
        #expect(await server.terminate() == 0)
    }

    /// The stored hash, read with Python's sqlite3 (the test does not link the driver).
    func passwordHash(_ normalizedEmail: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT password_hash FROM users WHERE normalized_email=?', (sys.argv[2],)).fetchone()[0])",
            database, normalizedEmail,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func createKey(_ extra: [String]) throws -> String {
        let (code, out, err) = try Binary.run(["keys", "create", "--name", "k"] + extra, environment: environment)
        #expect(code == 0, "\(err)")
        return out.trimmingCharacters(in: .newlines)
    }
}
