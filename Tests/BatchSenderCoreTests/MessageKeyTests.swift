import BatchSenderCore
import Testing

@Suite struct MessageKeyTests {
    let batch = Batch.ID(rawValue: "bat_01JDA5ZP4Z7V8W9X0Y1Z2A3B4C")
    /// A stand-in for the HMAC tagger: any deterministic function of the body with a secret.
    static func tagger(secret: String) -> MessageKeys.Tagger {
        { body in
            var hash: UInt64 = 1469598103934665603
            for byte in (secret + body).utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
            let hex = String(hash, radix: 16)
            return String((String(repeating: "0", count: 24) + hex + hex).suffix(24))
        }
    }

    @Test func generationsChangeTheKeyAndKeepTheRecipient() {
        let first = MessageKey.make(batch: batch, recipient: Recipient.ID(row: 42))
        let retried = MessageKey.make(batch: batch, recipient: Recipient.ID(row: 42), generation: 2)
        #expect(first == "msg_01JDA5ZP4Z7V8W9X0Y1Z2A3B4C_42")
        #expect(retried == "msg_01JDA5ZP4Z7V8W9X0Y1Z2A3B4C_42_r2")
        #expect(MessageKey.parse(retried)?.row == 42)
        #expect(MessageKey.parse(retried)?.batch == batch)
    }

    @Test func taggedKeysVerifyAndForgeriesDoNot() throws {
        let keys = MessageKeys(tagger: Self.tagger(secret: "s1"))
        let key = keys.make(batch: batch, recipient: Recipient.ID(row: 7), generation: 1)
        #expect(key.hasPrefix("msg_01JDA5ZP4Z7V8W9X0Y1Z2A3B4C_7_r1_"))
        #expect(!key.contains("."), "a Standard Webhooks id has no dots")
        #expect(keys.make(batch: batch, recipient: Recipient.ID(row: 7), generation: 1) == key, "stable across attempts")
        #expect(keys.isAuthentic(key))
        #expect(MessageKey.parse(key)?.row == 7)
        // A receiver that knows its own key cannot name its neighbour's row…
        let neighbour = key.replacingOccurrences(of: "_7_", with: "_8_")
        #expect(!keys.isAuthentic(neighbour))
        // …nor drop the tag, nor use another deployment's.
        #expect(!keys.isAuthentic(MessageKey.make(batch: batch, recipient: Recipient.ID(row: 8))))
        #expect(!MessageKeys(tagger: Self.tagger(secret: "s2")).isAuthentic(key))
        #expect(!keys.isAuthentic(""))
        #expect(!keys.isAuthentic("msg_"))
    }

    @Test(arguments: ["msg_x_0", "msg__1", "msg_a_1_b_c_d", "msg_a_-3", "msg_a_99999999999999999999", "test_abc"])
    func malformedKeysNameNobody(key: String) {
        #expect(MessageKey.parse(key) == nil)
    }
}
