import BatchSenderCore
import Foundation
import Testing

@Suite struct JSONValueTests {
    let sample: JSONValue = [
        "s": "text with \"quotes\", \\ and ü", "i": 42, "neg": -7, "d": .double(2.5), "t": true, "f": false, "n": nil,
        "a": [1, "two", [3], ["k": "v"]], "o": ["nested": ["deep": .double(1.25)]],
    ]

    @Test func roundTripsThroughText() {
        let text = sample.jsonText()
        #expect(JSONValue.parse(text) == sample)
    }

    @Test func textIsKeySortedAndStable() {
        let a: JSONValue = ["b": 1, "a": 2, "c": ["z": 1, "y": 2]]
        #expect(a.jsonText() == #"{"a":2,"b":1,"c":{"y":2,"z":1}}"#)
        #expect(JSONValue.string("https://x/y").jsonText() == #""https://x/y""#, "slashes unescaped")
    }

    @Test func roundTripsThroughCodable() throws {
        let data = try JSONEncoder().encode(sample)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == sample)
    }

    @Test func parsesScalarsAndRejectsGarbage() {
        #expect(JSONValue.parse("1") == .int(1))
        #expect(JSONValue.parse("1.5") == .double(1.5))
        #expect(JSONValue.parse("null") == .null)
        #expect(JSONValue.parse(#""x""#) == .string("x"))
        #expect(JSONValue.parse("{") == nil)
        #expect(JSONValue.parse("") == nil)
    }

    @Test func accessors() {
        #expect(sample["s"]?.stringValue == "text with \"quotes\", \\ and ü")
        #expect(sample["i"]?.numberValue == 42)
        #expect(sample["d"]?.numberValue == 2.5)
        #expect(sample["t"]?.boolValue == true)
        #expect(sample["a"]?.arrayValue?.count == 4)
        #expect(sample["o"]?["nested"]?["deep"] == .double(1.25))
        #expect(sample["missing"] == nil)
        #expect(JSONValue.string("x")["k"] == nil)
        #expect(sample["n"]?.typeName == "null")
        #expect(sample["i"]?.typeName == "number")
        #expect(sample["o"]?.typeName == "object")
    }
}
