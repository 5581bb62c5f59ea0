/// The bytes that follow a DATA command's 354 (RFC 5321 §4.5.2): the message with every line
/// ending made CRLF, a "." doubled at the start of each line (dot-stuffing), and the
/// terminating CRLF "." CRLF.
enum SMTPDataFraming {
    /// Frames `message`. A bare CR or LF becomes CRLF: servers treat lone ones inconsistently,
    /// and that inconsistency is what "SMTP smuggling" exploits.
    static func frame(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            switch byte {
            case 0x0D, 0x0A:
                output += [0x0D, 0x0A]
                atLineStart = true
                // CRLF is one line ending, not two.
                index += (byte == 0x0D && index + 1 < message.count && message[index + 1] == 0x0A) ? 2 : 1
                continue
            case UInt8(ascii: ".") where atLineStart:
                output += [UInt8(ascii: "."), UInt8(ascii: ".")]
            default:
                output.append(byte)
            }
            atLineStart = false
            index += 1
        }
        if !atLineStart || output.isEmpty { output += [0x0D, 0x0A] }
        output += Array(".\r\n".utf8)
        return output
    }
}
