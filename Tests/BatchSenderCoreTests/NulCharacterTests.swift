import BatchSenderCore
import Testing

/// NUL is valid JSON (`\u0000`) and valid UTF-8, but no text column stores it (PostgreSQL refuses
/// it): both parsers refuse it as bad input, so it is a 4xx on every store, never a 5xx.
@Suite struct NulCharacterTests {
    @Test(arguments: [#""a\u0000b""#, #"{"to":"x","variables":{"n":"\u0000"}}"#])
    func jsonRefusesAnEscapedNul(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func jsonKeepsOtherEscapes() throws {
        #expect(try JSONParser.parse(#""\u0001\u00e9""#) == .string("\u{01}é"))
    }

    @Test func csvRefusesANulByteWithItsOwnReason() throws {
        var parser = CSVParser()
        var records: [[String]] = []
        let bytes: [UInt8] = Array("to,name\nann@example.com,a".utf8) + [0] + Array("b\n".utf8)
        #expect(throws: CSVError.nulCharacter) {
            try parser.feed(bytes[...], into: &records)
            try parser.finish(into: &records)
        }
    }
}
