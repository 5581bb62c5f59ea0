import BatchSenderCore

extension ProviderSpec {
    /// The `smtp` settings beyond host, port and security (CONTRACT §3): the ones a relay's
    /// operator tunes. Ranges are wide; they only keep out values that cannot work.
    static func checkSMTPSettings(_ reader: inout ObjectReader) {
        // `host` itself (required, a string) is read by the caller; only its form is checked here.
        if let host = reader.present("host")?.stringValue, !host.isEmpty, !isHostName(host) {
            reader.fail("host", "must be a host name or IP address such as smtp.example.com, without scheme or port")
        }
        if let helo = reader.string("heloName"), !isHostName(helo) {
            reader.fail("heloName", "must be a host name such as mail.example.com or an address literal such as [192.0.2.1]")
        }
        if let pem = reader.string("caCertificate"), !pem.contains("-----BEGIN CERTIFICATE-----") {
            reader.fail("caCertificate", "must be a PEM certificate (-----BEGIN CERTIFICATE----- …)")
        }
        _ = reader.int("maxConnections", in: 1...100)
        _ = reader.int("messagesPerConnection", in: 1...100_000)
        _ = reader.int("timeoutMs", in: 100...600_000)
    }

    /// Letters, digits, dots, hyphens and colons (IPv6), optionally in brackets: no scheme,
    /// path, port or space can slip into a connect or EHLO line.
    private static func isHostName(_ text: String) -> Bool {
        var core = Substring(text)
        if core.hasPrefix("["), core.hasSuffix("]") { core = core.dropFirst().dropLast() }
        return !core.isEmpty && core.utf8.count <= 253
            && core.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == ":") }
    }
}
