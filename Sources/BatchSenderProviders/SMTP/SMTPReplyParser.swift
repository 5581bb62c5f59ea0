import NIOCore

/// Reads SMTP replies out of the bytes a server sends: splits lines at CRLF (a bare LF is
/// tolerated), and joins `250-…` continuation lines with their final `250 …` line into one
/// `SMTPReply`. Pure: the channel handler feeds it, tests feed it directly.
struct SMTPReplyParser {
    /// RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; real servers send longer banners,
    /// so allow generously but keep a hostile peer from growing the buffer without bound.
    static let maxLineLength = 8192
    /// Most lines one reply may have (EHLO replies have a dozen or so).
    static let maxLines = 200

    private var pending: [String] = []
    private var pendingCode: Int?

    /// Whether a reply has begun but not ended.
    var isInsideReply: Bool { !pending.isEmpty }

    /// Consumes every complete line in `buffer` and returns the replies they finish, in order.
    /// Bytes of an unfinished line stay in `buffer`.
    mutating func parse(_ buffer: inout ByteBuffer) throws(SMTPProtocolError) -> [SMTPReply] {
        var replies: [SMTPReply] = []
        while true {
            let view = buffer.readableBytesView
            guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else { break }
            guard newline - view.startIndex <= Self.maxLineLength else {
                throw SMTPProtocolError("reply line longer than \(Self.maxLineLength) bytes")
            }
            var end = newline
            if end > view.startIndex, view[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = view[view.startIndex..<end]
            buffer.moveReaderIndex(to: newline + 1)
            if let reply = try feed(line) { replies.append(reply) }
        }
        if buffer.readableBytes > Self.maxLineLength { throw SMTPProtocolError("reply line longer than \(Self.maxLineLength) bytes") }
        return replies
    }

    /// Adds one line (without its line ending); returns the reply when the line was its last.
    mutating func feed<Bytes: Collection<UInt8>>(_ line: Bytes) throws(SMTPProtocolError) -> SMTPReply? {
        let bytes = Array(line)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw SMTPProtocolError("malformed reply line \(Self.excerpt(bytes))")
        }
        let code = bytes[0...2].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard (200...599).contains(code) else { throw SMTPProtocolError("reply code \(code) out of range") }
        let separator: UInt8? = bytes.count > 3 ? bytes[3] : nil
        guard separator == nil || separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw SMTPProtocolError("malformed reply line \(Self.excerpt(bytes))")
        }
        if let pendingCode, pendingCode != code {
            throw SMTPProtocolError("multi-line reply changed its code from \(pendingCode) to \(code)")
        }
        // Servers' text is ASCII by the RFC; decode leniently rather than fail on a stray byte.
        pending.append(String(decoding: bytes.dropFirst(4), as: UTF8.self))
        guard pending.count <= Self.maxLines else { throw SMTPProtocolError("reply has more than \(Self.maxLines) lines") }
        if separator == UInt8(ascii: "-") {
            pendingCode = code
            return nil
        }
        defer {
            pending = []
            pendingCode = nil
        }
        return SMTPReply(code: code, lines: pending)
    }

    private static func excerpt(_ bytes: [UInt8]) -> String {
        "\"" + String(decoding: bytes.prefix(40), as: UTF8.self) + (bytes.count > 40 ? "…" : "") + "\""
    }
}

/// The server said something that is not SMTP.
struct SMTPProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
