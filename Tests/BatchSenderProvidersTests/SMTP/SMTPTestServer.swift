import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Testing

@testable import BatchSenderProviders

/// A real SMTP server, aiosmtpd, run by `scripts/test-servers/smtp_server.py` on 127.0.0.1.
/// It must be installed (`scripts/test` does it): a missing Python or aiosmtpd fails the test
/// with a message that says how to install it; nothing is skipped.
final class SMTPTestServer: @unchecked Sendable {
    enum Mode: String { case starttls, tls, plain }

    static let installHint = "The SMTP tests need python3 with aiosmtpd: python3 -m pip install aiosmtpd==1.4.6 (scripts/test does this)"

    let server: PythonTestServer
    var port: Int { server.port }
    var directory: URL { server.directory }

    private init(_ server: PythonTestServer) {
        self.server = server
    }

    /// Starts a server; `auth` is `user:password` and makes AUTH required (after TLS).
    static func start(
        _ mode: Mode, auth: String? = nil, mechanisms: String? = nil, pipelining: Bool = true
    ) async throws -> SMTPTestServer {
        var arguments = ["--mode", mode.rawValue]
        if let auth { arguments += ["--auth", auth] }
        if let mechanisms { arguments += ["--auth-mechanisms", mechanisms] }
        if !pipelining { arguments.append("--no-pipelining") }
        return SMTPTestServer(try await PythonTestServer(script: "smtp_server.py", arguments: arguments, installHint: installHint))
    }

    /// The server's self-signed certificate (for `caCertificate`).
    var certificatePEM: String { (try? String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8)) ?? "" }

    /// Every message accepted so far, in order.
    func messages() throws -> [ReceivedMessage] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { try JSONDecoder().decode(ReceivedMessage.self, from: Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    /// The client address of each QUIT received.
    var quits: [String] {
        ((try? String(contentsOf: directory.appendingPathComponent("quits"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() { server.stop() }

    /// An `smtp` provider pointed at this server, trusting its certificate unless told not to.
    func provider(
        security: String, credentials: [String: String] = [:], settings extra: [String: JSONValue] = [:], trust: Bool = true
    ) -> SMTPProvider {
        var settings: [String: JSONValue] = [
            "host": "127.0.0.1", "port": .int(port), "security": .string(security), "heloName": "batchsender.test",
            "timeoutMs": 20_000,
        ]
        if trust { settings["caCertificate"] = .string(certificatePEM) }
        settings.merge(extra) { $1 }
        return SMTPProvider(configuration: SMTPSettingsTests.configuration(settings, credentials: credentials))
    }
}

/// Runs `body` with a started server, stopping it afterwards whatever happens.
func withSMTPServer<T>(
    _ mode: SMTPTestServer.Mode, auth: String? = nil, mechanisms: String? = nil, pipelining: Bool = true,
    _ body: (SMTPTestServer) async throws -> T
) async throws -> T {
    let server = try await SMTPTestServer.start(mode, auth: auth, mechanisms: mechanisms, pipelining: pipelining)
    defer { server.stop() }
    return try await body(server)
}

/// One message as the server recorded it (see smtp_server.py).
struct ReceivedMessage: Decodable {
    var mailFrom: String
    var mailOptions: [String]
    var rcptTos: [String]
    /// `ip:port` of the client: one value per connection.
    var peer: String
    var heloName: String?
    var tls: Bool
    var starttls: Bool
    var authLogin: String?
    var authMechanism: String?
    var raw: String
    var parsed: Parsed

    struct Parsed: Decodable {
        var headers: [[String]]
        var contentType: String
        var parts: [Part]
        var defects: [String]
    }

    struct Part: Decodable {
        var contentType: String
        var charset: String?
        var transferEncoding: String?
        var text: String
    }

    /// A header as Python's email package decoded it (encoded-words and all).
    func header(_ name: String) -> String? {
        parsed.headers.first { $0.first?.lowercased() == name.lowercased() }.flatMap { $0.count > 1 ? $0[1] : nil }
    }

    var rawBytes: [UInt8] { Array(Data(base64Encoded: raw) ?? Data()) }
}

/// Builders of email messages for the SMTP tests.
enum SMTPMake {
    static func message(
        to: String, row: Int64 = 1, from: String = "news@example.com", fromName: String? = nil, replyTo: String? = nil,
        subject: String = "Hello", text: String? = "Hi there", html: String? = nil, headers: [String: String] = [:]
    ) throws -> OutboundMessage {
        let recipient = Recipient.ID(row: row)
        return OutboundMessage(
            recipientID: recipient, batchID: Make.batchID,
            idempotencyKey: OutboundMessage.idempotencyKey(batch: Make.batchID, recipient: recipient), attempt: 1,
            message: .email(EmailMessage(
                to: to, from: from, fromName: fromName, replyTo: replyTo, subject: subject, html: html, text: text,
                headers: headers)))
    }
}
