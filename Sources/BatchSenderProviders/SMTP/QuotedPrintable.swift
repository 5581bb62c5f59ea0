/// Quoted-printable body encoding (RFC 2045 §6.7) of UTF-8 text, with CRLF line breaks and
/// soft breaks so that no encoded line is longer than 76 characters — far under SMTP's 998-octet
/// limit, whatever the HTML or text a template produced.
enum QuotedPrintable {
    static let maxLineLength = 76

    /// Encodes `text`. Its line breaks (CRLF, LF or CR) become CRLF hard breaks; the result has
    /// no trailing line break.
    static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        var first = true
        for line in lines(of: Array(text.utf8)) {
            if !first { output += [0x0D, 0x0A] }
            first = false
            encodeLine(line, into: &output)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// One hard line, soft-broken as needed.
    private static func encodeLine(_ line: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var lineLength = 0
        for (offset, byte) in zip(line.indices, line) {
            let isLast = offset == line.index(before: line.endIndex)
            let literal: Bool
            switch byte {
            case 0x20, 0x09: literal = !isLast  // whitespace at the end of a line would be stripped in transit
            case 0x21...0x7E: literal = byte != UInt8(ascii: "=")
            default: literal = false
            }
            let width = literal ? 1 : 3
            // Keep one column for the "=" of a soft break, unless this is the line's last token.
            let limit = isLast ? maxLineLength : maxLineLength - 1
            if lineLength + width > limit {
                output += [UInt8(ascii: "="), 0x0D, 0x0A]
                lineLength = 0
            }
            if literal {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
            lineLength += width
        }
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Splits at CRLF, LF or lone CR.
    static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case 0x0D:
                result.append(bytes[start..<index])
                index += (index + 1 < bytes.count && bytes[index + 1] == 0x0A) ? 2 : 1
                start = index
            case 0x0A:
                result.append(bytes[start..<index])
                index += 1
                start = index
            default:
                index += 1
            }
        }
        result.append(bytes[start..<bytes.count])
        return result
    }
}
