import BatchSenderCore
import NIOCore
import Testing

@testable import BatchSenderProviders

@Suite("SMTP reply parser")
struct SMTPReplyParserTests {
    static func parse(_ chunks: [String]) throws -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var buffer = ByteBuffer()
        var replies: [SMTPReply] = []
        for chunk in chunks {
            buffer.writeString(chunk)
            replies += try parser.parse(&buffer)
        }
        return replies
    }

    @Test func singleLineReplies() throws {
        let replies = try Self.parse(["220 smtp.test ESMTP ready\r\n250 OK\r\n"])
        #expect(replies == [SMTPReply(code: 220, lines: ["smtp.test ESMTP ready"]), SMTPReply(code: 250, lines: ["OK"])])
    }

    @Test func multiLineRepliesAreOneReply() throws {
        let replies = try Self.parse(["250-smtp.test\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 HELP\r\n"])
        #expect(replies == [SMTPReply(code: 250, lines: ["smtp.test", "PIPELINING", "AUTH PLAIN LOGIN", "HELP"])])
    }

    @Test func repliesSplitAcrossReadsAndBareLineFeeds() throws {
        let replies = try Self.parse(["25", "0-first\r", "\n250 sec", "ond\n354 go ahead", "\r\n"])
        #expect(replies == [SMTPReply(code: 250, lines: ["first", "second"]), SMTPReply(code: 354, lines: ["go ahead"])])
    }

    @Test func aCodeAloneIsAReply() throws {
        #expect(try Self.parse(["250\r\n"]) == [SMTPReply(code: 250, lines: [""])])
    }

    @Test(arguments: ["hello\r\n", "25\r\n", "2500 x\r\n", "250_x\r\n", "099 x\r\n", "250-a\r\n251 b\r\n"])
    func malformedRepliesAreProtocolErrors(_ input: String) {
        #expect(throws: SMTPProtocolError.self) { try Self.parse([input]) }
    }

    @Test func anEndlessLineIsRefused() {
        #expect(throws: SMTPProtocolError.self) { try Self.parse([String(repeating: "2", count: SMTPReplyParser.maxLineLength + 10)]) }
    }

    @Test func reasonsAreShortAndCarryTheEnhancedCode() {
        let reply = SMTPReply(code: 550, lines: ["5.1.1 <bob@example.com>: Recipient address rejected", "User unknown"])
        #expect(reply.reason == "SMTP 550 5.1.1 <bob@example.com>: Recipient address rejected User unknown")
        #expect(SMTPReply(code: 451, lines: [String(repeating: "x", count: 500)]).reason.count < 220)
        #expect(SMTPReply(code: 421, lines: [""]).reason == "SMTP 421")
    }

    @Test func ehloExtensionsAreRead() {
        let ehlo = SMTPReply(code: 250, lines: ["smtp.test", "PIPELINING", "SIZE 1000", "auth plain LOGIN", "STARTTLS", "AUTH=XOAUTH2"])
        let extensions = SMTPExtensions(ehlo: ehlo)
        #expect(extensions.pipelining && extensions.startTLS && !extensions.smtpUTF8)
        #expect(extensions.authMechanisms == ["PLAIN", "LOGIN", "XOAUTH2"])
        #expect(!SMTPExtensions(ehlo: SMTPReply(code: 250, lines: ["smtp.test PIPELINING"])).pipelining)
    }

    @Test func transactionRepliesMapToOutcomes() {
        let id = "msg_1@example.com"
        #expect(SMTPProvider.outcome(.accepted(SMTPReply(code: 250, lines: ["OK"])), messageID: id)
            == .accepted(providerMessageID: id, delivered: false))
        for code in [421, 450, 451, 452] {
            #expect(SMTPProvider.outcome(.refused(SMTPReply(code: code, lines: ["4.3.0 later"])), messageID: id)
                == .retry(reason: "SMTP \(code) 4.3.0 later", after: nil))
        }
        #expect(SMTPProvider.outcome(.refused(SMTPReply(code: 550, lines: ["5.1.1 unknown"])), messageID: id)
            == .reject(reason: "SMTP 550 5.1.1 unknown"))
    }

    @Test func sessionErrorsMapToOutcomes() {
        #expect(SMTPError.connect("refused").outcome == .retry(reason: "refused", after: nil))
        #expect(SMTPError.tls("bad cert").outcome == .retry(reason: "bad cert", after: nil))
        #expect(SMTPError.timeout("slow").outcome == .retry(reason: "slow", after: nil))
        #expect(SMTPError.authRejected(SMTPReply(code: 535, lines: ["5.7.8 invalid"])).outcome
            == .reject(reason: "SMTP server rejected the credentials: SMTP 535 5.7.8 invalid"))
        #expect(SMTPError.authRejected(SMTPReply(code: 454, lines: ["4.7.0 later"])).outcome.isRetry)
        #expect(SMTPError.reply(SMTPReply(code: 554, lines: ["no service"]), command: "connect").outcome
            == .reject(reason: "SMTP 554 no service (after connect)"))
        #expect(SMTPError.reply(SMTPReply(code: 421, lines: ["busy"]), command: "connect").outcome.isRetry)
        #expect(SMTPError.poolTimeout(4).outcome.isRetry)
    }
}
