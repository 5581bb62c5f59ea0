import BatchSenderCore

/// Why an SMTP session could not do what was asked. Each case knows whether trying again later
/// can help, which is all the provider needs to turn it into a `DeliveryOutcome`.
enum SMTPError: Error, Hashable, Sendable {
    /// The TCP connection could not be made (refused, unreachable, name not found, timed out).
    case connect(String)
    /// The connection broke or the server closed it.
    case transport(String)
    /// No reply (or no progress writing) within the timeout.
    case timeout(String)
    /// The TLS handshake failed (untrusted or mismatched certificate, protocol error).
    case tls(String)
    /// The server's bytes are not SMTP.
    case protocolViolation(String)
    /// A reply that ends the session attempt: `command` is what it answered.
    case reply(SMTPReply, command: String)
    /// `security: starttls` but the server does not offer STARTTLS.
    case startTLSUnavailable(String)
    /// Credentials were given but the server offers no mechanism we speak.
    case authUnavailable(String)
    /// The server refused the username and password.
    case authRejected(SMTPReply)
    /// The send config cannot work as written.
    case configuration(String)
    /// The SSRF guard refused the server's address (the reason starts with `blocked:`).
    case blocked(String)
    /// Every pooled connection stayed busy for the whole wait.
    case poolTimeout(Int)
    /// The provider was shut down.
    case shutDown

    /// The outcome for a message that met this error.
    var outcome: DeliveryOutcome {
        switch self {
        case .connect(let reason), .transport(let reason), .timeout(let reason), .tls(let reason),
            .protocolViolation(let reason):
            .retry(reason: reason, after: nil)
        case .reply(let reply, let command):
            // A reply at session set-up says the same for every message: 4xx later, 5xx never.
            reply.isPermanent
                ? .reject(reason: "\(reply.reason) (after \(command))") : .retry(reason: "\(reply.reason) (after \(command))", after: nil)
        case .startTLSUnavailable(let reason), .authUnavailable(let reason), .configuration(let reason), .blocked(let reason):
            .reject(reason: reason)
        case .authRejected(let reply):
            reply.isTransient
                ? .retry(reason: "\(reply.reason) (authentication temporarily failed)", after: nil)
                : .reject(reason: "SMTP server rejected the credentials: \(reply.reason)")
        case .poolTimeout(let size):
            .retry(reason: "timed out waiting for a free SMTP connection (maxConnections \(size))", after: nil)
        case .shutDown:
            .retry(reason: "SMTP provider is shutting down", after: nil)
        }
    }

    /// Whether a message that met this error may have reached the server's queue anyway.
    var isTransportFailure: Bool {
        switch self {
        case .connect, .transport, .timeout, .tls, .protocolViolation: true
        default: false
        }
    }
}
