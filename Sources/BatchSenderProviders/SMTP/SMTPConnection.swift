import BatchSenderCore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One SMTP session, opened, secured and authenticated, ready for mail transactions. Used by
/// one task at a time (the pool hands it out), so its counters need no more than a lock.
final class SMTPConnection: Sendable {
    let wire: SMTPWire
    /// What the server offered after the last EHLO (after STARTTLS, the encrypted one).
    let extensions: SMTPExtensions
    private let state = Mutex(State())

    private struct State {
        var transactions = 0
        var broken = false
        var idleSince = ContinuousClock.now
    }

    private init(wire: SMTPWire, extensions: SMTPExtensions) {
        self.wire = wire
        self.extensions = extensions
    }

    /// Mail transactions begun on this session, successful or not.
    var transactions: Int { state.withLock { $0.transactions } }

    /// Open, not failed, not told by the server (421) that it is closing, and with no reply
    /// waiting that nobody asked for (a server's "421 idle timeout" before it hangs up).
    var isUsable: Bool {
        !state.withLock { $0.broken } && wire.inbox.failure == nil && !wire.inbox.hasUnreadReplies && wire.channel.isActive
    }

    var idleSince: ContinuousClock.Instant { state.withLock { $0.idleSince } }

    func markIdle() { state.withLock { $0.idleSince = .now } }

    /// The session cannot be used again (a 421, a failed RSET).
    func markBroken() { state.withLock { $0.broken = true } }

    func countTransaction() { state.withLock { $0.transactions += 1 } }

    /// Connects and runs the session's opening: greeting, EHLO (HELO when EHLO is refused),
    /// STARTTLS and EHLO again when `security` is starttls, then AUTH when there are credentials.
    /// - Parameters:
    ///   - tls: required unless `settings.security` is none.
    ///   - guardrail: checks the relay's address first; the connection goes to the address it
    ///     approved (TLS still verifies the configured host name).
    static func open(_ settings: SMTPSettings, tls: SMTPTLS?, guardrail: DestinationGuard) async throws(SMTPError) -> SMTPConnection {
        // Never fall back to clear text for want of a TLS context.
        if settings.security != .none && tls == nil { throw .configuration("SMTP security \(settings.security) needs TLS set up") }
        let target = try await address(settings, guardrail: guardrail)
        let inbox = SMTPReplyInbox()
        let implicitTLS = settings.security == .tls ? tls : nil
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(settings.timeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(to: target) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS { try channel.pipeline.syncOperations.addHandler(implicitTLS.makeHandler()) }
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler(inbox: inbox))
                        return channel
                    }
                }
        } catch {
            throw .connect("cannot connect to SMTP server \(settings.endpoint): \(describe(connectError: error))")
        }
        let wire = SMTPWire(channel: channel, inbox: inbox, timeout: TimeAmount(settings.timeout))
        do throws(SMTPError) {
            let greeting = try await wire.readReply(step: "greeting")
            guard greeting.code == 220 else { throw SMTPError.reply(greeting, command: "connect") }
            var extensions = try await hello(wire, name: settings.heloName)
            if settings.security == .starttls, let tls {  // non-nil: checked above
                guard extensions.startTLS else {
                    throw SMTPError.startTLSUnavailable(
                        "SMTP server \(settings.endpoint) does not offer STARTTLS; refusing to send in clear text "
                            + "(set security to tls for implicit TLS, or none for a trusted relay)")
                }
                let reply = try await wire.command("STARTTLS", step: "STARTTLS")
                guard reply.code == 220 else { throw SMTPError.reply(reply, command: "STARTTLS") }
                try await startTLS(wire, tls)
                // RFC 3207 §4.2: forget what was learned in clear text and ask again.
                extensions = try await hello(wire, name: settings.heloName)
            }
            if let credentials = settings.credentials {
                try await authenticate(wire, credentials, offered: extensions, endpoint: settings.endpoint)
            }
            return SMTPConnection(wire: wire, extensions: extensions)
        } catch {
            if error.isTransportFailure {
                wire.close()
            } else {
                // The server is fine, it said no: say goodbye properly.
                _ = try? await wire.command("QUIT", step: "QUIT")
                wire.close()
            }
            throw error
        }
    }

    /// The socket address to connect to: the relay's address as the SSRF guard approved it
    /// (resolved once, never again by the connect).
    private static func address(_ settings: SMTPSettings, guardrail: DestinationGuard) async throws(SMTPError) -> SocketAddress {
        let approved: IPAddress?
        switch await guardrail.check(host: settings.connectHost, lookupTimeout: settings.timeout) {
        case .allowed(let address): approved = address ?? IPAddress(literal: settings.connectHost)
        case .refused(let reason): throw .blocked(reason)
        case .unresolved(let reason): throw .connect("cannot connect to SMTP server \(settings.endpoint): \(reason)")
        }
        guard let approved, let socket = try? SocketAddress(ipAddress: approved.description, port: settings.port) else {
            throw .connect("cannot connect to SMTP server \(settings.endpoint): no usable address")
        }
        return socket
    }

    /// EHLO, or HELO for a server that answers EHLO with a permanent error (RFC 5321 §3.2).
    private static func hello(_ wire: SMTPWire, name: String) async throws(SMTPError) -> SMTPExtensions {
        let ehlo = try await wire.command("EHLO \(name)", step: "EHLO")
        if ehlo.code == 250 { return SMTPExtensions(ehlo: ehlo) }
        guard ehlo.isPermanent else { throw .reply(ehlo, command: "EHLO") }
        let helo = try await wire.command("HELO \(name)", step: "HELO")
        guard helo.code == 250 else { throw .reply(helo, command: "HELO") }
        return .none
    }

    /// Puts TLS under the reply handler, after checking the server sent nothing more in clear
    /// text (anything it did would otherwise be read as if it had come over TLS).
    private static func startTLS(_ wire: SMTPWire, _ tls: SMTPTLS) async throws(SMTPError) {
        let channel = wire.channel, inbox = wire.inbox
        do {
            try await channel.eventLoop.submit {
                let handler = try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self)
                guard !handler.hasBufferedBytes, !inbox.hasUnreadReplies else {
                    throw SMTPError.protocolViolation("SMTP server sent data after its STARTTLS reply; refusing to continue")
                }
                try channel.pipeline.syncOperations.addHandler(tls.makeHandler(), position: .first)
            }.get()
        } catch {
            wire.close()
            throw (error as? SMTPError) ?? SMTPReplyHandler.classify(error)
        }
    }

    /// AUTH PLAIN when offered, else AUTH LOGIN (RFC 4954). Only called on encrypted sessions:
    /// `SMTPSettings` refuses credentials with security none.
    private static func authenticate(
        _ wire: SMTPWire, _ credentials: SMTPSettings.Credentials, offered extensions: SMTPExtensions, endpoint: String
    ) async throws(SMTPError) {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        let mechanisms = extensions.authMechanisms
        var reply: SMTPReply
        if mechanisms.contains("PLAIN") {
            let token = base64("\0\(credentials.username)\0\(credentials.password)")
            reply = try await wire.command("AUTH PLAIN \(token)", step: "AUTH PLAIN")
            // A server may ask for the response separately even when it came with the command.
            if reply.code == 334 { reply = try await wire.command(token, step: "AUTH PLAIN") }
        } else if mechanisms.contains("LOGIN") {
            reply = try await wire.command("AUTH LOGIN", step: "AUTH LOGIN")
            if reply.code == 334 { reply = try await wire.command(base64(credentials.username), step: "AUTH LOGIN") }
            if reply.code == 334 { reply = try await wire.command(base64(credentials.password), step: "AUTH LOGIN") }
        } else if mechanisms.isEmpty {
            throw .authUnavailable("SMTP server \(endpoint) does not offer AUTH, but credentials are configured")
        } else {
            throw .authUnavailable(
                "SMTP server \(endpoint) offers AUTH \(mechanisms.sorted().joined(separator: " ")); only PLAIN and LOGIN are supported")
        }
        guard reply.code == 235 else {
            throw reply.code == 421 ? .reply(reply, command: "AUTH") : .authRejected(reply)
        }
    }

    /// Says QUIT (waiting a little for the answer) and closes.
    func quit() async {
        if isUsable {
            let brief = SMTPWire(channel: wire.channel, inbox: wire.inbox, timeout: min(wire.timeout, .seconds(5)))
            _ = try? await brief.command("QUIT", step: "QUIT")
        }
        wire.close()
    }

    /// "Connection refused" rather than NIO's full account of each address it tried.
    private static func describe(connectError error: any Error) -> String {
        var error = error
        if let connection = error as? NIOConnectionError {
            guard let first = connection.connectionErrors.first else {
                return "host name not found"
            }
            error = first.error
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return "connection timed out" }
        return String(String(describing: error).prefix(200))
    }
}
