import BatchSenderDelivery
import Foundation
import Testing

@testable import BatchSenderProviders

@Suite("SMTP MIME message")
struct SMTPMIMEMessageTests {
    static let date = Date(timeIntervalSince1970: 1_772_528_700)  // Tue, 03 Mar 2026 09:05:00 UTC

    static func email(
        subject: String = "Hello", text: String? = "Hi there", html: String? = nil, fromName: String? = nil,
        replyTo: String? = nil, headers: [String: String] = [:]
    ) -> EmailMessage {
        EmailMessage(
            to: "ann@example.com", from: "news@Example.COM", fromName: fromName, replyTo: replyTo, subject: subject,
            html: html, text: text, headers: headers)
    }

    static func render(_ email: EmailMessage, key: String = "msg_01ABC_7") -> (MIMEMessage, String) {
        let message = MIMEMessage(email, idempotencyKey: key, date: date, boundary: "=_bs_TESTBOUNDARY")
        return (message, String(decoding: message.render(), as: UTF8.self))
    }

    @Test func plainTextMessageHasTheStandardHeaders() {
        let (message, raw) = Self.render(Self.email(replyTo: "help@example.com"))
        let head = MIMEParts.headers(of: raw)
        #expect(head["From"] == "news@Example.COM")
        #expect(head["To"] == "ann@example.com")
        #expect(head["Reply-To"] == "help@example.com")
        #expect(head["Subject"] == "Hello")
        #expect(head["Date"] == "Tue, 03 Mar 2026 09:05:00 +0000")
        #expect(head["Message-ID"] == "<msg_01ABC_7@example.com>")
        #expect(message.messageID == "msg_01ABC_7@example.com")
        #expect(head["MIME-Version"] == "1.0")
        #expect(head["Content-Type"] == "text/plain; charset=UTF-8")
        #expect(head["Content-Transfer-Encoding"] == "quoted-printable")
        #expect(MIMEParts.body(of: raw) == "Hi there\r\n")
        #expect(!raw.contains("\n\n") && raw.hasSuffix("\r\n"))
    }

    @Test func messageIDIsStableAcrossRetriesAndUniquePerRecipient() {
        let first = MIMEMessage(Self.email(), idempotencyKey: "msg_01ABC_7", date: Self.date)
        let retry = MIMEMessage(Self.email(), idempotencyKey: "msg_01ABC_7", date: Self.date.addingTimeInterval(600))
        let other = MIMEMessage(Self.email(), idempotencyKey: "msg_01ABC_8", date: Self.date)
        #expect(first.messageID == retry.messageID)
        #expect(first.messageID != other.messageID)
        #expect(MIMEMessage.messageID(idempotencyKey: "k<>", from: "a@bücher.de") == "k__@batchsender.localhost")
    }

    @Test func htmlOnlyIsTextHTML() {
        let (_, raw) = Self.render(Self.email(text: nil, html: "<p>Hi</p>"))
        #expect(MIMEParts.headers(of: raw)["Content-Type"] == "text/html; charset=UTF-8")
        #expect(MIMEParts.body(of: raw) == "<p>Hi</p>\r\n")
    }

    @Test func textAndHTMLAreMultipartAlternativeTextFirst() throws {
        let (_, raw) = Self.render(Self.email(text: "Plain ü", html: "<p>Rich ü</p>"))
        #expect(MIMEParts.headers(of: raw)["Content-Type"] == "multipart/alternative; boundary=\"=_bs_TESTBOUNDARY\"")
        let parts = MIMEParts.split(MIMEParts.body(of: raw), boundary: "=_bs_TESTBOUNDARY")
        try #require(parts.count == 2)
        #expect(MIMEParts.headers(of: parts[0])["Content-Type"] == "text/plain; charset=UTF-8")
        #expect(MIMEParts.headers(of: parts[1])["Content-Type"] == "text/html; charset=UTF-8")
        #expect(MIMEParts.decodeQP(MIMEParts.body(of: parts[0])) == "Plain ü")
        #expect(MIMEParts.decodeQP(MIMEParts.body(of: parts[1])) == "<p>Rich ü</p>")
        #expect(raw.hasSuffix("--=_bs_TESTBOUNDARY--\r\n"))
        #expect(MIMEMessage.randomBoundary() != MIMEMessage.randomBoundary())
    }

    @Test(arguments: [
        "Grüße aus Köln",
        "Hello 👋🏽 world — a subject long enough to need several encoded words, 日本語のテキストも含めて、もっと長くします。",
        "👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦",
        "ASCII first, then ü",
    ])
    func nonASCIISubjectsAreEncodedWordsThatRoundTrip(subject: String) throws {
        let (message, raw) = Self.render(Self.email(subject: subject))
        let field = try #require(message.headerFields.first { $0.hasPrefix("Subject:") })
        // Swift reads CRLF as one Character: unfold before splitting.
        let words = field.dropFirst("Subject:".count).replacingOccurrences(of: "\r\n", with: "").split(separator: " ")
        for word in words {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            #expect(word.count <= 75)
        }
        #expect(MIMEParts.decodeEncodedWords(String(field.dropFirst("Subject: ".count))) == subject)
        for line in field.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
        #expect(raw.utf8.allSatisfy { $0 < 0x80 })
    }

    @Test func longASCIIHeadersFoldAtSpacesAndUnfoldToTheSameText() throws {
        let subject = (1...30).map { "word\($0)" }.joined(separator: " ")
        let (message, _) = Self.render(Self.email(subject: subject))
        let field = try #require(message.headerFields.first { $0.hasPrefix("Subject:") })
        let lines = field.components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        for line in lines { #expect(line.utf8.count <= 78) }
        #expect(field.replacingOccurrences(of: "\r\n", with: "") == "Subject: " + subject)
    }

    @Test func displayNamesAreQuotedOrEncoded() {
        let quoted = Self.render(Self.email(fromName: #"Ann "The Boss" O\Neil"#)).1
        #expect(MIMEParts.headers(of: quoted)["From"] == #""Ann \"The Boss\" O\\Neil" <news@Example.COM>"#)
        let encoded = Self.render(Self.email(fromName: "Zoë Ünal")).1
        let from = MIMEParts.headers(of: encoded)["From"] ?? ""
        #expect(from.hasPrefix("=?UTF-8?B?") && from.hasSuffix(" <news@Example.COM>"))
        #expect(MIMEParts.decodeEncodedWords(String(from.dropLast(" <news@Example.COM>".count))) == "Zoë Ünal")
    }

    @Test func bodiesAreQuotedPrintableWithShortLinesAndRoundTrip() {
        let body = "Zeile eins mit Ümlauten\n" + String(repeating: "lang=", count: 400) + "\r\nend with spaces   \n.leading dot\n\n🎉"
        let (_, raw) = Self.render(Self.email(text: body))
        for line in raw.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76) }
        let decoded = MIMEParts.decodeQP(MIMEParts.body(of: raw))
        #expect(decoded == body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(QuotedPrintable.encode("a \nb\t") == "a=20\r\nb=09")
    }

    @Test func customHeadersAreKeptButCannotInjectOrOverride() {
        let headers = [
            "X-Campaign": "November", "List-Unsubscribe": "<https://example.com/u/1>",
            "X-Evil": "a\r\nBcc: victim@example.com", "From": "ceo@example.com", "message-id": "<x@y>",
            "Bad Name": "x", "X-Colon:": "x", "Bcc": "spy@example.com", "X-Ünicode": "x", "X-Note": "Grüße",
        ]
        let (message, raw) = Self.render(Self.email(headers: headers))
        let head = MIMEParts.headers(of: raw)
        #expect(head["X-Campaign"] == "November")
        #expect(head["List-Unsubscribe"] == "<https://example.com/u/1>")
        #expect(MIMEParts.decodeEncodedWords(head["X-Note"] ?? "") == "Grüße")
        #expect(head["From"] == "news@Example.COM")
        #expect(head["Message-ID"] == "<msg_01ABC_7@example.com>")
        #expect(!raw.contains("victim") && !raw.contains("spy@") && !raw.contains("ceo@"))
        #expect(Set(message.droppedHeaders) == ["X-Evil", "From", "message-id", "Bad Name", "X-Colon:", "Bcc", "X-Ünicode"])
    }

    @Test func controlCharactersInTheSubjectCannotStartANewHeader() {
        let (_, raw) = Self.render(Self.email(subject: "Hi\r\nBcc: victim@example.com"))
        #expect(MIMEParts.headers(of: raw)["Subject"] == "Hi  Bcc: victim@example.com")
        #expect(MIMEParts.headers(of: raw)["Bcc"] == nil)
    }

    @Test func everyLineIsShortEnoughForSMTP() {
        let long = String(repeating: "x", count: 5000)
        let (_, raw) = Self.render(Self.email(subject: long, text: long, html: "<p>\(long)</p>", fromName: long, headers: ["X-Long": long]))
        for line in raw.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 998) }
        #expect(MIMEParts.decodeEncodedWords(MIMEParts.headers(of: raw)["Subject"] ?? "") == long)
    }
}

@Suite("SMTP data framing")
struct SMTPDataFramingTests {
    static func frame(_ text: String) -> String { String(decoding: SMTPDataFraming.frame(Array(text.utf8)), as: UTF8.self) }

    @Test func linesStartingWithADotAreDoubled() {
        #expect(Self.frame("a\r\n.b\r\n..c\r\n.\r\nd.e\r\n") == "a\r\n..b\r\n...c\r\n..\r\nd.e\r\n.\r\n")
        #expect(Self.frame(".first") == "..first\r\n.\r\n")
    }

    @Test func bareLineEndingsBecomeCRLFAndTheTerminatorIsAdded() {
        #expect(Self.frame("a\nb\rc\r\n") == "a\r\nb\r\nc\r\n.\r\n")
        #expect(Self.frame("no newline") == "no newline\r\n.\r\n")
        #expect(Self.frame("") == "\r\n.\r\n")
        // A lone "." after a bare LF is still a line start: it cannot end the data early.
        #expect(Self.frame("x\n.\ny") == "x\r\n..\r\ny\r\n.\r\n")
    }
}
