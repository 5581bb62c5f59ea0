import NIOCore
import NIOSSL

/// The TLS side of an SMTP connection: one client context per provider (loading trust roots is
/// costly), and a handler per connection.
struct SMTPTLS: Sendable {
    let context: NIOSSLContext
    /// The name sent as SNI and checked against the certificate; `nil` for an IP address,
    /// which SNI cannot carry — the certificate is then checked against the address itself.
    let serverHostname: String?

    /// Builds the client context: TLS 1.2 or later, full certificate verification, trusting
    /// exactly `caCertificate` when given and the system roots otherwise.
    init(settings: SMTPSettings) throws(SMTPError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let pem = settings.caCertificate {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
            } catch {
                throw .configuration("invalid SMTP send config: settings.caCertificate is not a valid PEM certificate")
            }
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .configuration("cannot set up TLS for SMTP: \(error)")
        }
        let host = settings.connectHost
        serverHostname = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    /// A new client handler; call on the channel's event loop (handlers are not `Sendable`).
    func makeHandler() throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
    }
}
