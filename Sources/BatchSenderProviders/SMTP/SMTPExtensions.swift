/// The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1): one
/// keyword per line after the greeting line, with optional parameters.
struct SMTPExtensions: Hashable, Sendable {
    /// Upper-cased keyword → its parameters (upper-cased for AUTH mechanisms).
    private var keywords: [String: [String]]

    /// What a server that answered HELO (not EHLO) supports: nothing.
    static let none = SMTPExtensions(keywords: [:])

    private init(keywords: [String: [String]]) { self.keywords = keywords }

    init(ehlo reply: SMTPReply) {
        var keywords: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "=" }).map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            keywords[keyword, default: []] += words.dropFirst()
        }
        self.keywords = keywords
    }

    func supports(_ keyword: String) -> Bool { keywords[keyword.uppercased()] != nil }

    /// The AUTH mechanisms offered (`AUTH=PLAIN LOGIN`, an old form, counts too).
    var authMechanisms: Set<String> { Set(keywords["AUTH"] ?? []) }

    var pipelining: Bool { supports("PIPELINING") }
    var startTLS: Bool { supports("STARTTLS") }
    var smtpUTF8: Bool { supports("SMTPUTF8") }
}
