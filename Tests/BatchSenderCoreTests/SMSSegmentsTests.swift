import BatchSenderCore
import Testing

@Suite struct SMSSegmentsTests {
    @Test(arguments: [(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (1530, 10), (1531, 11)])
    func gsm7Boundaries(length: Int, segments: Int) {
        let counted = SMSSegments(String(repeating: "a", count: length))
        #expect(counted.encoding == .gsm7)
        #expect(counted.count == segments)
        #expect(counted.units == length)
    }

    @Test(arguments: [(70, 1), (71, 2), (134, 2), (135, 3)])
    func ucs2Boundaries(length: Int, segments: Int) {
        let counted = SMSSegments(String(repeating: "ж", count: length))
        #expect(counted.encoding == .ucs2)
        #expect(counted.count == segments)
    }

    @Test func extensionCharactersCostTwoSeptets() {
        let counted = SMSSegments(String(repeating: "€", count: 80))
        #expect(counted.encoding == .gsm7)
        #expect(counted.units == 160)
        #expect(counted.count == 1)
        #expect(SMSSegments(String(repeating: "[", count: 81)).count == 2)
    }

    @Test func anExtensionCharacterIsNeverSplitAcrossSegments() {
        // 152 septets, then a two-septet "€": it does not fit the first 153-septet segment.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152)
        let counted = SMSSegments(text)
        #expect(counted.units == 306)
        #expect(counted.count == 3)  // 306 plain septets would fit two
    }

    @Test func gsmLettersWithAccentsStayGSM7() {
        #expect(SMSSegments("Ça coûte 5€ à Zürich").encoding == .ucs2)  // û is not GSM
        #expect(SMSSegments("Ça coute 5€ à Zürich, é è ù ì ò Ø Å Æ ß ¿¡").encoding == .gsm7)
    }

    @Test func emojiForceUCS2AndCountAsTwoUnits() {
        let counted = SMSSegments("Hi 😀")
        #expect(counted.encoding == .ucs2)
        #expect(counted.units == 5)
        // 66 units, then a surrogate pair that must not be split over 67 + 67.
        let long = String(repeating: "ж", count: 66) + "😀" + String(repeating: "ж", count: 10)
        #expect(SMSSegments(long).count == 2)
        let straddling = String(repeating: "ж", count: 66) + "😀" + String(repeating: "ж", count: 66)
        #expect(SMSSegments(straddling).units == 134)
        #expect(SMSSegments(straddling).count == 3)
    }
}
