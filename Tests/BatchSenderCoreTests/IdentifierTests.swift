import BatchSenderCore
import Foundation
import Testing

@Suite struct IdentifierTests {
    @Test func generatedIdsAreWellFormedAndPrefixed() {
        let id = Batch.ID.generate()
        #expect(id.rawValue.hasPrefix("bat_"))
        #expect(id.rawValue.count == 4 + 26)
        #expect(Batch.ID.isWellFormed(id.rawValue))
        #expect(!SendConfig.ID.isWellFormed(id.rawValue), "prefix belongs to another entity")
        #expect(Workspace.ID.generate().rawValue.hasPrefix("ws_"))
        #expect(APIKey.ID.generate().rawValue.hasPrefix("key_"))
        #expect(SendConfig.ID.generate().rawValue.hasPrefix("sc_"))
    }

    @Test func wellFormedness() {
        #expect(!Batch.ID.isWellFormed("bat_"))
        #expect(!Batch.ID.isWellFormed("bat_01JD3Y"))
        #expect(!Batch.ID.isWellFormed("bat_01JD3YXXXXXXXXXXXXXXXXXXXU"), "U is not Crockford base32")
        #expect(!Batch.ID.isWellFormed("bat_01jd3yxxxxxxxxxxxxxxxxxxxx"), "lower case")
        #expect(Batch.ID.isWellFormed("bat_01JD3YXXXXXXXXXXXXXXXXXXXX"))
    }

    @Test func idsSortByCreationTime() {
        let base = Date(timeIntervalSince1970: 1_767_225_600)
        // Mid-millisecond times: `n / 1000` itself can land a hair below the millisecond it
        // names (binary floating point), and ids within one millisecond are in random order.
        let ids = (0..<200).map { Batch.ID.generate(at: base.addingTimeInterval((Double($0) + 0.5) / 1000)) }
        #expect(ids == ids.sorted())
        let later = Batch.ID.generate(at: base.addingTimeInterval(86_400 * 365 * 30))
        #expect(ids.allSatisfy { $0 < later })
        #expect(Set(ids).count == ids.count)
    }

    @Test func timePrefixEncodesMilliseconds() {
        // ULID spec example: 1469918176385 ms → "01ARYZ6S41".
        let id = Batch.ID.generate(at: Date(timeIntervalSince1970: 1_469_918_176.385))
        #expect(id.rawValue.dropFirst(4).prefix(10) == "01ARYZ6S41")
    }

    @Test func recipientIdsCarryRows() {
        #expect(Recipient.ID(row: 42).rawValue == "rcp_42")
        #expect(Recipient.ID(row: 42).row == 42)
        #expect(Recipient.ID(rawValue: "rcp_0").row == nil)
        #expect(Recipient.ID(rawValue: "rcp_-3").row == nil)
        #expect(Recipient.ID(rawValue: "rcp_x").row == nil)
        #expect(Recipient.ID(rawValue: "bat_1").row == nil)
    }

    @Test func codableAsPlainString() throws {
        let id = Batch.ID(rawValue: "bat_01JD3YXXXXXXXXXXXXXXXXXXXX")
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == #"["bat_01JD3YXXXXXXXXXXXXXXXXXXXX"]"#)
        #expect(try JSONDecoder().decode([Batch.ID].self, from: data) == [id])
        #expect(id.description == id.rawValue)
    }
}
