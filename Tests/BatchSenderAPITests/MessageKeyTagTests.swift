import BatchSenderCore
import BatchSenderSecrets
import Foundation
import Testing

@Suite struct MessageKeyTagTests {
    @Test func tagsComeFromTheMasterKey() {
        let one = MessageKeys.tagged(masterKey: Data(repeating: 1, count: 32))
        let two = MessageKeys.tagged(masterKey: Data(repeating: 2, count: 32))
        let batch = Batch.ID(rawValue: "bat_01JDA5ZP4Z7V8W9X0Y1Z2A3B4C")
        let key = one.make(batch: batch, recipient: Recipient.ID(row: 3))
        #expect(key.count == "msg_01JDA5ZP4Z7V8W9X0Y1Z2A3B4C_3_".count + MessageKeys.tagLength)
        #expect(key.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) })
        #expect(one.isAuthentic(key))
        #expect(!two.isAuthentic(key))
        #expect(one.make(batch: batch, recipient: Recipient.ID(row: 3)) == key)
    }
}
