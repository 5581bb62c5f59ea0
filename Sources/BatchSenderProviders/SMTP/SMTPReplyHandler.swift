import Foundation
import NIOCore
import NIOSSL

/// The channel handler of an SMTP client connection: parses the bytes the server sends into
/// replies for the `SMTPReplyInbox`, and turns every way the connection can end into a failure
/// there, so a waiting reader always wakes.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let inbox: SMTPReplyInbox
    private var parser = SMTPReplyParser()
    private var buffer: ByteBuffer?

    init(inbox: SMTPReplyInbox) {
        self.inbox = inbox
    }

    /// Whether bytes of a reply are waiting to be completed. Checked when TLS starts: anything
    /// the server sent in clear text after its 220 to STARTTLS would otherwise be read as if it
    /// had come over TLS (the STARTTLS command-injection attack, RFC 3207 §4.1 / CVE-2011-0411).
    var hasBufferedBytes: Bool { (buffer?.readableBytes ?? 0) > 0 || parser.isInsideReply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var pending = buffer {
            buffer = nil  // so `pending` is the only reference and grows in place
            pending.writeBuffer(&bytes)
            bytes = pending
        }
        do {
            let replies = try parser.parse(&bytes)
            if bytes.readableBytes > 0 {
                bytes.discardReadBytes()
                buffer = bytes
            }
            for reply in replies { inbox.deliver(reply) }
        } catch {
            inbox.fail(.protocolViolation("SMTP server sent an invalid reply: \(error)"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.fail(.transport("SMTP server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inbox.fail(Self.classify(error))
        context.close(promise: nil)
    }

    /// A short, specific message for an error the pipeline raised.
    static func classify(_ error: any Error) -> SMTPError {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return .tls("TLS handshake failed: the SMTP server's certificate is not trusted (set caCertificate for a private CA)")
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return .tls("TLS handshake failed: the SMTP server's certificate does not match its host name")
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return .tls("TLS handshake failed: \(text.prefix(200))")
        }
        if let io = error as? IOError { return .transport("SMTP connection failed: \(String(cString: strerror(io.errnoCode)))") }
        return .transport("SMTP connection failed: \(text.prefix(200))")
    }
}
