import BatchSenderCore
import Foundation
import Testing

@testable import BatchSenderEvents

@Suite struct EventTimeTests {
    @Test(arguments: [
        ("2024-11-22T23:41:12.126Z", 1_732_318_872.126),
        ("2019-12-09T21:32:14.148+00:00", 1_575_927_134.148),
        ("2024-11-22 23:41:11.894+00:00", 1_732_318_871.894),
        ("2016-10-19T23:20:52Z", 1_476_919_252),
    ])
    func providerTimestampsParse(text: String, seconds: Double) throws {
        let date = try #require(EventTime.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001)
    }

    @Test func messageKeysRoundTrip() {
        let batch = Batch.ID(rawValue: "bat_01JDA5ZP4Z7V8W9X0Y1Z2A3B4C")
        let key = MessageKey.make(batch: batch, recipient: Recipient.ID(row: 42))
        #expect(key == "msg_01JDA5ZP4Z7V8W9X0Y1Z2A3B4C_42")
        #expect(MessageKey.parse(key)?.batch == batch)
        #expect(MessageKey.parse(key)?.row == 42)
        #expect(MessageKey.parse("test_abc") == nil)
        #expect(MessageKey.parse("msg_x_0") == nil)
    }
}
