import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Logging
import NIOCore

/// The `smtp` provider of the email module: a real SMTP client (RFC 5321) for any relay or
/// submission server. One message per recipient, over pooled sessions that are secured with
/// STARTTLS or implicit TLS and authenticated with AUTH PLAIN or LOGIN.
///
/// Settings (CONTRACT §3): `host` (required), `port` (587 for starttls, 465 for tls, 25 for
/// none), `security` (`starttls` by default, `tls`, `none`), `heloName`, `caCertificate` (PEM;
/// trusted instead of the system roots), `maxConnections` (4), `messagesPerConnection` (100),
/// `timeoutMs` (30000). Credentials: `username` and `password`, both or neither.
public struct SMTPProvider: DeliveryProvider {
    /// Most messages one `send` call takes; they go out one after another on one session.
    public static let batchSize = 10

    let settings: SMTPSettings?
    let pool: SMTPConnectionPool?
    /// Why this config cannot send, when it cannot: every message is rejected with it.
    let problem: String?
    let logger: Logger
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - configuration: the send config and its opened credentials.
    ///   - idleTimeout: how long an unused session stays open before it is closed with QUIT.
    ///   - resolver: resolves the relay's name for the SSRF guard (`configuration.networkPolicy`).
    ///   - logger: transaction-level logging.
    ///   - now: the clock for the Date header.
    public init(
        configuration: ProviderConfiguration, idleTimeout: Duration = .seconds(60),
        resolver: any HostResolver = CachingHostResolver(),
        logger: Logger = Logger(label: "batchsender.smtp"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        var logger = logger
        logger[metadataKey: "provider"] = "smtp"
        logger[metadataKey: "send_config.id"] = "\(configuration.sendConfig.id.rawValue)"
        self.logger = logger
        self.now = now
        do throws(SMTPError) {
            let settings = try SMTPSettings.parse(configuration).get()
            let tls = settings.security == .none ? nil : try SMTPTLS(settings: settings)
            let guardrail = DestinationGuard(policy: configuration.networkPolicy, resolver: resolver)
            self.settings = settings
            self.pool = SMTPConnectionPool(
                maxConnections: settings.maxConnections, messagesPerConnection: settings.messagesPerConnection,
                waitTimeout: settings.timeout, idleTimeout: idleTimeout
            ) { () async throws(SMTPError) -> SMTPConnection in
                try await SMTPConnection.open(settings, tls: tls, guardrail: guardrail)
            }
            self.problem = nil
        } catch {
            self.settings = nil
            self.pool = nil
            self.problem = if case .reject(let reason) = error.outcome { reason } else { "invalid SMTP send config" }
        }
    }

    public var maxBatchSize: Int { Self.batchSize }

    /// Every message goes to the configured server: one circuit breaker per relay host.
    public func destination(of message: OutboundMessage) -> String {
        settings?.host.lowercased() ?? "smtp"
    }

    /// Closes idle sessions with QUIT; later sends are answered with a retry.
    public func shutdown() async {
        await pool?.shutdown()
    }

    public func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] {
        guard let settings, let pool else {
            return messages.map { _ in .reject(reason: problem ?? "invalid SMTP send config") }
        }
        var outcomes: [DeliveryOutcome] = []
        var session: SMTPConnection?
        // After two broken sessions in one call, the rest of the call fails the same way
        // instead of hammering a server that is down.
        var giveUp: DeliveryOutcome?
        var transportFailures = 0
        for message in messages {
            guard case .email(let email) = message.message else {
                outcomes.append(.reject(reason: "the smtp provider delivers email messages only"))
                continue
            }
            if let problem = Self.addressProblem(email) {
                outcomes.append(.reject(reason: problem))
                continue
            }
            if let giveUp {
                outcomes.append(giveUp)
                continue
            }
            let mime = MIMEMessage(email, idempotencyKey: message.idempotencyKey, date: now())
            if !mime.droppedHeaders.isEmpty {
                logger.debug("custom headers left out", metadata: ["headers": "\(mime.droppedHeaders)"])
            }
            let data = ByteBuffer(bytes: SMTPDataFraming.frame(mime.render()))
            var mayRetryStale = true
            while true {
                if session == nil {
                    do {
                        session = try await pool.acquire()
                    } catch {
                        giveUp = error.outcome
                        outcomes.append(error.outcome)
                        break
                    }
                }
                guard let current = session else { break }  // set just above
                let reused = current.transactions > 0
                if !Self.isASCII(email), !current.extensions.smtpUTF8 {
                    outcomes.append(.reject(reason: "the address is not ASCII and the SMTP server does not offer SMTPUTF8"))
                    break
                }
                do {
                    let result = try await current.send(from: email.from, to: email.to, data: data)
                    outcomes.append(Self.outcome(result, messageID: mime.messageID))
                    if !current.isUsable || current.transactions >= settings.messagesPerConnection {
                        await pool.release(current, reusable: current.isUsable)
                        session = nil
                    }
                    break
                } catch {
                    await pool.release(current, reusable: false)
                    session = nil
                    // A pooled session the server dropped while it sat idle fails on its first
                    // command; nothing went out, so try once more on a fresh one.
                    if reused, !error.dataSent, mayRetryStale {
                        mayRetryStale = false
                        continue
                    }
                    transportFailures += 1
                    if transportFailures >= 2 { giveUp = error.error.outcome }
                    outcomes.append(error.error.outcome)
                    break
                }
            }
            logger.debug("smtp message handled", metadata: [
                "recipient.id": "\(message.recipientID.rawValue)", "attempt": "\(message.attempt)",
                "outcome": "\(outcomes.last.map { "\($0)" } ?? "none")",
            ])
        }
        if let session { await pool.release(session, reusable: true) }
        return outcomes
    }

    /// The outcome of a transaction the server answered: 2xx accepted, 4xx retry, 5xx reject.
    static func outcome(_ result: SMTPTransactionResult, messageID: String) -> DeliveryOutcome {
        switch result {
        case .accepted:
            .accepted(providerMessageID: messageID, delivered: false)
        case .refused(let reply) where reply.isPermanent:
            .reject(reason: reply.reason)
        case .refused(let reply):
            .retry(reason: reply.reason, after: nil)
        }
    }

    /// Addresses go into command lines between angle brackets: anything that could end the
    /// line or the bracket is refused (the API validates addresses; this is the last guard).
    static func addressProblem(_ email: EmailMessage) -> String? {
        for (name, address) in [("from", email.from), ("to", email.to), ("replyTo", email.replyTo ?? "x@x")] {
            let bad = address.isEmpty || address.unicodeScalars.contains {
                $0.value < 0x21 || $0.value == 0x7F || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";"
            }
            if bad || !address.contains("@") { return "invalid \(name) address for SMTP: \(address.prefix(100).debugDescription)" }
        }
        return nil
    }

    private static func isASCII(_ email: EmailMessage) -> Bool {
        email.from.utf8.allSatisfy { $0 < 0x80 } && email.to.utf8.allSatisfy { $0 < 0x80 }
    }
}
