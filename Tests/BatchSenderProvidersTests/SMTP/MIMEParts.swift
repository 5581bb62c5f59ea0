import Foundation

/// Just enough of a MIME reader for the unit tests: headers, bodies, parts, QP and encoded-words.
enum MIMEParts {
    /// Unfolded header fields of an entity (the part before the first blank line).
    static func headers(of entity: String) -> [String: String] {
        let head = entity.components(separatedBy: "\r\n\r\n").first ?? ""
        var fields: [String: String] = [:]
        for field in head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n") {
            guard let colon = field.firstIndex(of: ":") else { continue }
            fields[String(field[..<colon])] = String(field[field.index(after: colon)...].dropFirst())
        }
        return fields
    }

    static func body(of entity: String) -> String {
        guard let range = entity.range(of: "\r\n\r\n") else { return "" }
        return String(entity[range.upperBound...])
    }

    /// The entities between `--boundary` lines.
    static func split(_ body: String, boundary: String) -> [String] {
        let pieces = body.components(separatedBy: "--\(boundary)")
        return pieces.dropFirst().dropLast().map { piece in
            var piece = piece
            if piece.hasPrefix("\r\n") { piece.removeFirst() }
            if piece.hasSuffix("\r\n") { piece.removeLast() }
            return piece
        }
    }

    static func decodeQP(_ text: String) -> String {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)
        if input.suffix(2) == [0x0D, 0x0A] { input.removeLast(2) }
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "=") {
                if index + 2 < input.count, input[index + 1] == 0x0D, input[index + 2] == 0x0A {
                    index += 3
                    continue
                }
                let hex = String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self)
                bytes.append(UInt8(hex, radix: 16) ?? 0)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes adjacent `=?UTF-8?B?…?=` words (the whitespace between them is dropped).
    static func decodeEncodedWords(_ text: String) -> String {
        var bytes: [UInt8] = []
        for word in text.replacingOccurrences(of: "\r\n", with: "").split(separator: " ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return text }
            bytes += Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data()
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
