import BatchSenderCore
import Foundation
import Testing

@Suite struct JSONParserTests {
    static let documents = [
        #"{"a":1,"b":-2.5,"c":"x","d":true,"e":false,"f":null,"g":[1,[2,{}]],"h":{"i":[]}}"#,
        #"  [ 0 , -0 , 1e3 , 2.5E-2 , 9223372036854775807 , 1.0 ]  "#,
        #""esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 ü""#,
        "12",
    ]

    @Test(arguments: documents)
    func agreesWithFoundation(text: String) throws {
        let ours = try JSONParser.parse(text)
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == foundation)
    }

    @Test func unicodeEscapesAndSurrogates() throws {
        #expect(try JSONParser.parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
        #expect(throws: JSONParseError.self, "a lone surrogate has no UTF-8 form") { try JSONParser.parse(#""\ud83d x""#) }
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "nul", "\"open", "\"tab\there\"", "{\"a\" 1}",
        "[1 2]", "{1:2}", "\"\\x\"", "\"\\u12G4\"", "1 2", "NaN", "Infinity", "1e400",
    ])
    func refusesInvalidDocuments(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        #expect(try JSONParser.parse(#"{"dup":1,"dup":2}"#) == ["dup": 2])
    }

    @Test func bigIntegersBecomeDoubles() throws {
        #expect(try JSONParser.parse("18446744073709551616") == .double(18446744073709551616))
    }
}
