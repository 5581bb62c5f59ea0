/// How an SMS text is encoded on the air and how many segments (billed messages) it takes.
///
/// GSM 03.38 / 3GPP TS 23.038: a text made only of the GSM 7-bit default alphabet and its
/// extension table is sent as GSM-7 (160 septets in one segment, 153 per segment when
/// concatenated, the rest of each segment holding the 7-octet user-data header); any other
/// character forces UCS-2 (70 UTF-16 units alone, 67 per concatenated segment). An extension
/// character (`€`, `[`, `{`, …) costs two septets (escape + code) and is never split across
/// segments; nor is a UTF-16 surrogate pair — carriers and Twilio's segment calculator count
/// this way, so our count matches the bill.
public struct SMSSegments: Hashable, Sendable {
    public enum Encoding: String, Hashable, Sendable {
        case gsm7 = "GSM-7"
        case ucs2 = "UCS-2"
    }

    public var encoding: Encoding
    /// Segments the text takes (0 for an empty text).
    public var count: Int
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    public var units: Int

    /// The most segments a message may take by default: Twilio's own cap (1,600 characters).
    public static let defaultMaximum = 10

    /// Counts `text`.
    public init(_ text: String) {
        var septets: [Int] = []  // the width of each character, in septets
        septets.reserveCapacity(text.unicodeScalars.count)
        var isGSM = true
        for scalar in text.unicodeScalars {
            if Self.basic.contains(scalar) {
                septets.append(1)
            } else if Self.extended.contains(scalar) {
                septets.append(2)
            } else {
                isGSM = false
                break
            }
        }
        if isGSM {
            encoding = .gsm7
            (count, units) = Self.pack(septets, single: 160, multi: 153)
        } else {
            encoding = .ucs2
            let widths = text.unicodeScalars.map { $0.value > 0xFFFF ? 2 : 1 }
            (count, units) = Self.pack(widths, single: 70, multi: 67)
        }
    }

    /// Packs characters of the given widths into segments without splitting one.
    private static func pack(_ widths: [Int], single: Int, multi: Int) -> (segments: Int, units: Int) {
        let total = widths.reduce(0, +)
        if total == 0 { return (0, 0) }
        if total <= single { return (1, total) }
        var segments = 1, used = 0
        for width in widths {
            if used + width > multi {
                segments += 1
                used = 0
            }
            used += width
        }
        return (segments, total)
    }

    /// The GSM 03.38 default alphabet (one septet each).
    static let basic: Set<Unicode.Scalar> = {
        let text = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
        return Set(text.unicodeScalars)
    }()

    /// The GSM 03.38 extension table (escape + code: two septets each).
    static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
}
