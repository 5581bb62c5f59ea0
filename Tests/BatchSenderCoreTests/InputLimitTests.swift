import BatchSenderCore
import Testing

/// Parsers refuse what they used to repair (invalid UTF-8 became U+FFFD, so two inputs could
/// become one suppression key) and bound what they used to hold without limit.
@Suite struct InputLimitTests {
    static func parse(_ bytes: [UInt8], maxValues: Int = JSONParser.defaultMaxValues) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in try JSONParser.parse(buffer, maxValues: maxValues) }
    }

    @Test(arguments: [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] as [[UInt8]])
    func jsonStringsMustBeUTF8(bad: [UInt8]) throws {
        for escaped in [false, true] {
            let bytes = Array(#"{"to":"a"#.utf8) + (escaped ? Array(#"\n"#.utf8) : []) + bad + Array(#"@b.co"}"#.utf8)
            #expect(throws: JSONParseError.self) { try Self.parse(bytes) }
        }
        let good = try Self.parse(Array(#"{"to":"é@b.co"}"#.utf8))
        #expect(good == ["to": "é@b.co"])
    }

    @Test func jsonValuesAreCounted() throws {
        let items = Array(("[" + Array(repeating: "{}", count: 100).joined(separator: ",") + "]").utf8)
        let parsed = try Self.parse(items, maxValues: 101)
        #expect(parsed.arrayValue?.count == 100)
        let error = #expect(throws: JSONParseError.self) { try Self.parse(items, maxValues: 100) }
        #expect(error?.kind == .tooManyValues)
    }

    static func csv(_ bytes: [UInt8], parser: CSVParser = CSVParser()) throws(CSVError) -> [[String]] {
        var parser = parser
        var records: [[String]] = []
        try parser.feed(bytes, into: &records)
        try parser.finish(into: &records)
        return records
    }

    @Test func csvFieldsMustBeUTF8() throws {
        #expect(throws: CSVError.invalidUTF8) { try Self.csv(Array("to\na".utf8) + [0xFF] + Array("@b.co\n".utf8)) }
        #expect(try Self.csv(Array("to\né@b.co\n".utf8)) == [["to"], ["é@b.co"]])
    }

    @Test func csvRecordsAreBounded() throws {
        #expect(throws: CSVError.tooManyFields(1_000)) {
            try Self.csv(Array("to\n".utf8) + Array(repeating: UInt8(ascii: ","), count: 100_000))
        }
        #expect(throws: CSVError.recordTooLong(64)) {
            try Self.csv(Array(repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: ",")] + Array(repeating: UInt8(ascii: "b"), count: 40),
                         parser: CSVParser(maxRecordBytes: 64))
        }
        let fine = try Self.csv(Array(("to,x\r\n" + String(repeating: "a,b\r\n", count: 100)).utf8), parser: CSVParser(maxRecordBytes: 6))
        #expect(fine.count == 101)
    }
}
