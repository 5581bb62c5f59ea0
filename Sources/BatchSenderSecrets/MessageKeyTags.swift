import BatchSenderCore
import Crypto
import Foundation

extension MessageKeys {
    /// Message keys tagged with HMAC-SHA256 under a key derived from the master key (HKDF, its
    /// own `info`, so the tag key is never the key that seals credentials). Deterministic, so a
    /// recipient's key is stable across attempts and restarts; unguessable without the master key.
    public static func tagged(masterKey: Data) -> MessageKeys {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: masterKey), info: Data("batchsender message key tags v1".utf8),
            outputByteCount: 32)
        return MessageKeys { body in
            let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)
            return Self.hex(mac.prefix(MessageKeys.tagLength / 2))
        }
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
