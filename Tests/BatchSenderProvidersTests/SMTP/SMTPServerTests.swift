import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Testing

@testable import BatchSenderProviders

/// The SMTP provider against a real server (aiosmtpd) on 127.0.0.1.
@Suite("SMTP provider against aiosmtpd")
struct SMTPServerTests {
    static let auth = "alice:s3cret-pw"
    static let credentials = ["username": "alice", "password": "s3cret-pw"]

    @Test func startTLSWithAuthDeliversEveryMessageOverOneConnection() async throws {
        try await withSMTPServer(.starttls, auth: Self.auth) { server in
            let provider = server.provider(security: "starttls", credentials: Self.credentials)
            let subject = "Grüße aus Köln — 你好 🎉, a subject long enough to be split into several encoded words"
            let text = "Hallo Ann,\nÜmlaute, emoji 🎉 and a line that is much longer than seventy-six characters so it needs soft breaks.\n.a leading dot"
            let html = "<p>Hallo <b>Ann</b> — ü 🎉</p>"
            let messages = [
                try SMTPMake.message(
                    to: "ann@example.com", row: 1, fromName: "Zoë \"Z\" Ünal", replyTo: "help@example.com", subject: subject,
                    text: text, html: html, headers: ["X-Campaign": "november", "X-Evil": "x\r\nBcc: spy@example.com"]),
                try SMTPMake.message(to: "bob@example.com", row: 2, text: nil, html: "<p>Only HTML</p>"),
                try SMTPMake.message(to: "cy@example.com", row: 3, text: "Only text"),
            ]
            let outcomes = await provider.send(messages)
            await provider.shutdown()
            let ids = messages.map { MIMEMessage.messageID(idempotencyKey: $0.idempotencyKey, from: "news@example.com") }
            #expect(outcomes == ids.map { .accepted(providerMessageID: $0, delivered: false) })

            let received = try server.messages()
            try #require(received.count == 3)
            #expect(Set(received.map(\.peer)).count == 1, "all three went over one connection")
            for message in received {
                #expect(message.starttls && message.tls)
                #expect(message.authLogin == "alice" && message.authMechanism == "PLAIN")
                #expect(message.heloName == "batchsender.test")
                #expect(message.mailFrom == "news@example.com")
                #expect(message.parsed.defects.isEmpty)
                let lines = message.rawBytes.split(separator: 0x0A, omittingEmptySubsequences: false)
                #expect(lines.allSatisfy { $0.count <= 999 })  // 998 + the CR
            }
            #expect(received.map(\.rcptTos) == [["ann@example.com"], ["bob@example.com"], ["cy@example.com"]])

            let first = received[0]
            #expect(first.header("Subject") == subject)
            #expect(first.header("From") == "\"Zoë \\\"Z\\\" Ünal\" <news@example.com>" || first.header("From") == "Zoë \"Z\" Ünal <news@example.com>")
            #expect(first.header("To") == "ann@example.com")
            #expect(first.header("Reply-To") == "help@example.com")
            #expect(first.header("Message-ID") == "<\(ids[0])>")
            #expect(first.header("MIME-Version") == "1.0")
            #expect(first.header("X-Campaign") == "november")
            #expect(first.header("X-Evil") == nil && first.header("Bcc") == nil)
            #expect(first.header("Date").map { $0.hasSuffix("+0000") } == true)
            #expect(first.parsed.contentType == "multipart/alternative")
            #expect(first.parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
            #expect(first.parsed.parts.map(\.charset) == ["utf-8", "utf-8"])
            #expect(first.parsed.parts.map { Self.normalized($0.text) } == [text, html])
            #expect(received[1].parsed.contentType == "text/html")
            #expect(received[2].parsed.contentType == "text/plain")
            #expect(server.quits.count == 1, "shutdown said QUIT")
        }
    }

    @Test func connectionsAreReusedAcrossCallsAndRetiredAfterMessagesPerConnection() async throws {
        try await withSMTPServer(.plain) { server in
            let provider = server.provider(security: "none", settings: ["maxConnections": 1, "messagesPerConnection": 2])
            let first = await provider.send([try SMTPMake.message(to: "a@example.com", row: 1)])
            let second = await provider.send([
                try SMTPMake.message(to: "b@example.com", row: 2), try SMTPMake.message(to: "c@example.com", row: 3),
            ])
            await provider.shutdown()
            #expect((first + second).allSatisfy { if case .accepted = $0 { true } else { false } })
            let peers = try server.messages().map(\.peer)
            try #require(peers.count == 3)
            #expect(peers[0] == peers[1], "the second call reused the pooled connection")
            #expect(peers[1] != peers[2], "a connection is retired after messagesPerConnection messages")
            #expect(server.quits.count == 2)
        }
    }

    @Test func idleConnectionsAreClosedWithQUIT() async throws {
        try await withSMTPServer(.plain) { server in
            let settings: [String: JSONValue] = ["host": "127.0.0.1", "port": .int(server.port), "security": "none"]
            let provider = SMTPProvider(configuration: SMTPSettingsTests.configuration(settings), idleTimeout: .milliseconds(200))
            let outcomes = await provider.send([try SMTPMake.message(to: "a@example.com")])
            #expect(outcomes.first?.reason == nil)
            // No shutdown: the pool closes the idle session by itself.
            let deadline = ContinuousClock.now + .seconds(30)
            while server.quits.isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(server.quits.count == 1)
        }
    }

    @Test func implicitTLSWithAuthLogin() async throws {
        try await withSMTPServer(.tls, auth: Self.auth, mechanisms: "LOGIN") { server in
            let provider = server.provider(security: "tls", credentials: Self.credentials)
            let outcomes = await provider.send([try SMTPMake.message(to: "ann@example.com")])
            await provider.shutdown()
            #expect(outcomes.first.map { if case .accepted = $0 { true } else { false } } == true, "\(outcomes)")
            let received = try server.messages()
            #expect(received.count == 1)
            #expect(received.first?.tls == true && received.first?.starttls == false)
            #expect(received.first?.authMechanism == "LOGIN" && received.first?.authLogin == "alice")
        }
    }

    @Test(arguments: [true, false])
    func transientAndPermanentRefusalsAreRetryAndReject(pipelining: Bool) async throws {
        try await withSMTPServer(.plain, pipelining: pipelining) { server in
            let provider = server.provider(security: "none")
            let outcomes = await provider.send([
                try SMTPMake.message(to: "ok-1@example.com", row: 1),
                try SMTPMake.message(to: "temp-fail@example.com", row: 2),
                try SMTPMake.message(to: "perm-fail@example.com", row: 3),
                try SMTPMake.message(to: "ok-2@example.com", row: 4),
            ])
            await provider.shutdown()
            try #require(outcomes.count == 4)
            #expect(outcomes[1] == .retry(reason: "SMTP 451 4.3.0 Temporary failure, try again later", after: nil))
            #expect(outcomes[2] == .reject(reason: "SMTP 550 5.1.1 <perm-fail@example.com>: Recipient address rejected: User unknown"))
            #expect([outcomes[0], outcomes[3]].allSatisfy { if case .accepted = $0 { true } else { false } })
            let received = try server.messages()
            #expect(received.map(\.rcptTos) == [["ok-1@example.com"], ["ok-2@example.com"]])
            #expect(Set(received.map(\.peer)).count == 1, "RSET kept the session usable")
        }
    }

    @Test func a421RetriesTheMessageAndDropsTheConnection() async throws {
        try await withSMTPServer(.plain) { server in
            let provider = server.provider(security: "none")
            let outcomes = await provider.send([
                try SMTPMake.message(to: "a@example.com", row: 1), try SMTPMake.message(to: "busy@example.com", row: 2),
                try SMTPMake.message(to: "b@example.com", row: 3),
            ])
            await provider.shutdown()
            #expect(outcomes[1] == .retry(reason: "SMTP 421 4.7.0 Too many messages in this connection, closing", after: nil))
            #expect(outcomes[2] != outcomes[1] && outcomes[2].reason == nil)
            let peers = try server.messages().map(\.peer)
            #expect(peers.count == 2 && peers[0] != peers[1])
        }
    }

    @Test func aWrongPasswordIsRejectedAsBadCredentials() async throws {
        try await withSMTPServer(.starttls, auth: Self.auth) { server in
            let provider = server.provider(security: "starttls", credentials: ["username": "alice", "password": "wrong"])
            let outcomes = await provider.send([
                try SMTPMake.message(to: "a@example.com", row: 1), try SMTPMake.message(to: "b@example.com", row: 2),
            ])
            await provider.shutdown()
            #expect(outcomes.count == 2)
            for outcome in outcomes {
                #expect(outcome.isReject)
                #expect(outcome.reason?.contains("rejected the credentials") == true)
                #expect(outcome.reason?.contains("535") == true)
            }
            #expect(try server.messages().isEmpty)
        }
    }

    @Test func credentialsWithoutEncryptionAreRefusedBeforeConnecting() async throws {
        try await withSMTPServer(.plain) { server in
            let provider = server.provider(security: "none", credentials: Self.credentials)
            let outcomes = await provider.send([try SMTPMake.message(to: "a@example.com")])
            #expect(outcomes.count == 1 && outcomes[0].isReject)
            #expect(outcomes[0].reason?.contains("unencrypted") == true)
            #expect(try server.messages().isEmpty && server.quits.isEmpty)
        }
    }

    @Test func startTLSThatTheServerDoesNotOfferIsNeverSkipped() async throws {
        try await withSMTPServer(.plain) { server in
            let provider = server.provider(security: "starttls")
            let outcomes = await provider.send([try SMTPMake.message(to: "a@example.com")])
            await provider.shutdown()
            #expect(outcomes.count == 1 && outcomes[0].isReject)
            #expect(outcomes[0].reason?.contains("does not offer STARTTLS") == true)
            #expect(try server.messages().isEmpty)
        }
    }

    @Test func anUntrustedCertificateIsRetriedWithAClearReason() async throws {
        try await withSMTPServer(.tls) { server in
            let provider = server.provider(security: "tls", trust: false)
            let outcomes = await provider.send([try SMTPMake.message(to: "a@example.com")])
            await provider.shutdown()
            #expect(outcomes.count == 1 && outcomes[0].isRetry)
            #expect(outcomes[0].reason?.contains("not trusted") == true)
            #expect(try server.messages().isEmpty)
        }
    }

    @Test func aServerThatIsDownIsRetried() async throws {
        // A port that was free a moment ago: stop a server and keep its port.
        let server = try await SMTPTestServer.start(.plain)
        let port = server.port
        server.stop()
        let provider = SMTPProvider(configuration: SMTPSettingsTests.configuration([
            "host": "127.0.0.1", "port": .int(port), "security": "none", "timeoutMs": 5000,
        ]))
        let outcomes = await provider.send([
            try SMTPMake.message(to: "a@example.com", row: 1), try SMTPMake.message(to: "b@example.com", row: 2),
        ])
        await provider.shutdown()
        #expect(outcomes.count == 2)
        for outcome in outcomes {
            #expect(outcome.isRetry)
            #expect(outcome.reason?.contains("cannot connect to SMTP server 127.0.0.1:\(port)") == true)
        }
    }

    @Test func concurrentSendsShareAtMostMaxConnections() async throws {
        try await withSMTPServer(.plain) { server in
            let provider = server.provider(security: "none", settings: ["maxConnections": 2])
            let outcomes = try await withThrowingTaskGroup(of: [DeliveryOutcome].self) { group in
                for row in 1...6 {
                    let message = try SMTPMake.message(to: "r\(row)@example.com", row: Int64(row))
                    group.addTask { await provider.send([message]) }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            await provider.shutdown()
            #expect(outcomes.count == 6)
            #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
            let received = try server.messages()
            #expect(received.count == 6)
            #expect(Set(received.map(\.peer)).count <= 2)
        }
    }

    /// Python reads CRLF bodies as they are; compare with LF.
    static func normalized(_ text: String) -> String { text.replacingOccurrences(of: "\r\n", with: "\n") }
}
