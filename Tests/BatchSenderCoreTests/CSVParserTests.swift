import BatchSenderCore
import Testing

@Suite struct CSVParserTests {
    func parse(_ text: String, chunk: Int = .max) throws -> [[String]] {
        var parser = CSVParser()
        var records: [[String]] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            try parser.feed(bytes[start..<end], into: &records)
            start = end
        }
        try parser.finish(into: &records)
        return records
    }

    @Test func simpleRowsWithAndWithoutFinalNewline() throws {
        #expect(try parse("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
        #expect(try parse("a,b\r\n1,2") == [["a", "b"], ["1", "2"]])
        #expect(try parse("a\r1\r") == [["a"], ["1"]])
    }

    @Test func quotesEscapesAndEmbeddedNewlines() throws {
        let text = "to,note\n\"x@example.com\",\"say \"\"hi\"\", then\nleave\"\n"
        #expect(try parse(text) == [["to", "note"], ["x@example.com", "say \"hi\", then\nleave"]])
    }

    @Test(arguments: [1, 2, 3, 7])
    func chunkBoundariesDoNotMatter(chunk: Int) throws {
        let text = "\u{FEFF}to,name\r\n\"a@x.io\",\"A, \"\"B\"\"\"\r\nb@x.io,\r\n"
        #expect(try parse(text, chunk: chunk) == [["to", "name"], ["a@x.io", "A, \"B\""], ["b@x.io", ""]])
    }

    @Test func byteOrderMarkIsDroppedOnlyAtTheStart() throws {
        #expect(try parse("\u{FEFF}\"to\"\nx\n") == [["to"], ["x"]])
        #expect(try parse("to\n\u{FEFF}x\n") == [["to"], ["\u{FEFF}x"]])
    }

    @Test func emptyFieldsAndBlankLines() throws {
        #expect(try parse(",,\n\n") == [["", "", ""], [""]])
        #expect(try parse("") == [])
    }

    @Test func unterminatedQuoteIsAnError() {
        #expect(throws: CSVError.unterminatedQuote) { try parse("a\n\"open,1\n") }
    }

    @Test func overlongFieldIsAnError() {
        var parser = CSVParser(maxFieldBytes: 4)
        var records: [[String]] = []
        #expect(throws: CSVError.fieldTooLong(4)) { try parser.feed(Array("abcdef".utf8), into: &records) }
    }
}
