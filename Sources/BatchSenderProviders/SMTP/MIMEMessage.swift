import BatchSenderDelivery
import Foundation

/// The RFC 5322 / MIME form of one `EmailMessage`: header fields, and a text/plain, text/html or
/// multipart/alternative body in quoted-printable UTF-8. Pure: the date and the boundary are
/// inputs, so tests see exactly what a server would receive.
struct MIMEMessage: Sendable {
    /// Header fields we write ourselves; a custom header of the same name is dropped rather than
    /// sent twice (two From or Message-ID fields make a message invalid or spoofable).
    static let reservedHeaders: Set<String> = [
        "from", "to", "subject", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding",
        "bcc", "sender", "return-path",
    ]

    let email: EmailMessage
    /// The Message-ID without angle brackets (also the provider message ID we report).
    let messageID: String
    let date: Date
    let boundary: String
    /// Custom header fields, sorted by name, that passed the checks.
    let customHeaders: [(name: String, value: String)]
    /// Names of custom headers left out, for the log.
    let droppedHeaders: [String]

    /// - Parameters:
    ///   - idempotencyKey: the message's stable key; the Message-ID is built from it so a retry
    ///     carries the same Message-ID and receivers can recognise a duplicate.
    ///   - boundary: the multipart boundary; random by default.
    init(_ email: EmailMessage, idempotencyKey: String, date: Date, boundary: String = MIMEMessage.randomBoundary()) {
        self.email = email
        self.messageID = Self.messageID(idempotencyKey: idempotencyKey, from: email.from)
        self.date = date
        self.boundary = boundary
        var reserved = Self.reservedHeaders
        if email.replyTo != nil { reserved.insert("reply-to") }
        var kept: [(String, String)] = []
        var dropped: [String] = []
        for (name, value) in email.headers.sorted(by: { $0.key < $1.key }) {
            if Self.isFieldName(name), !reserved.contains(name.lowercased()),
                !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" })
            {
                kept.append((name, value))
            } else {
                dropped.append(name)
            }
        }
        customHeaders = kept
        droppedHeaders = dropped
    }

    /// `<key>@<domain of from>`: unique per recipient, stable across retries.
    static func messageID(idempotencyKey: String, from: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        let left = String(idempotencyKey.map { allowed.contains($0) ? $0 : "_" })
        let domain = from.lastIndex(of: "@").map { from[from.index(after: $0)...].lowercased() } ?? ""
        // An internationalized domain would need SMTPUTF8 in a header every reader parses.
        let safeDomain = !domain.isEmpty && domain.allSatisfy({ allowed.contains($0) }) ? domain : "batchsender.localhost"
        return "\(left.isEmpty ? "message" : left)@\(safeDomain)"
    }

    /// A boundary that cannot occur in quoted-printable text: "=_" is never produced by QP.
    static func randomBoundary() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return "=_bs_" + String((0..<28).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    /// RFC 5322 field names: printable ASCII except ":" (§3.6.8).
    static func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 76 && name.utf8.allSatisfy { $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }
    }

    /// The header fields, each possibly folded over several lines, without line endings.
    var headerFields: [String] {
        var fields = [
            MIMEHeader.mailbox("From", address: email.from, displayName: email.fromName),
            MIMEHeader.mailbox("To", address: email.to, displayName: nil),
        ]
        if let replyTo = email.replyTo { fields.append(MIMEHeader.mailbox("Reply-To", address: replyTo, displayName: nil)) }
        fields += [
            MIMEHeader.unstructured("Subject", email.subject),
            "Date: \(MIMEHeader.date(date))",
            "Message-ID: <\(messageID)>",
        ]
        fields += customHeaders.map { MIMEHeader.unstructured($0.name, $0.value) }
        fields.append("MIME-Version: 1.0")
        return fields
    }

    /// The whole message, CRLF line endings, ending with CRLF; not yet dot-stuffed.
    func render() -> [UInt8] {
        var lines = headerFields
        switch (email.text, email.html) {
        case (let text?, let html?):
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("This is a multi-part message in MIME format.")
            for (subtype, body) in [("plain", text), ("html", html)] {
                lines.append("--\(boundary)")
                lines += Self.part(subtype: subtype, body: body)
            }
            lines.append("--\(boundary)--")
        case (nil, let html?):
            lines += Self.part(subtype: "html", body: html)
        case (let text, nil):
            lines += Self.part(subtype: "plain", body: text ?? "")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// A part's own header fields, a blank line and its encoded body.
    private static func part(subtype: String, body: String) -> [String] {
        [
            "Content-Type: text/\(subtype); charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            QuotedPrintable.encode(body),
        ]
    }
}
