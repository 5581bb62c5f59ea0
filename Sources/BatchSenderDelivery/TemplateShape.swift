/// What a template's tags reveal, read without swift-mustache (whose parser recurses once per
/// section, so it must not see a template nested deeper than the limit).
struct TemplateShape: Sendable {
    /// The deepest section nesting.
    var depth = 0
    /// Bytes of the largest section body: the most literal text one iteration can render.
    var largestSectionBytes = 0

    /// Scans the `{{…}}` tags of `text`; throws the first limit it breaks or the first feature we
    /// do not support: delimiter changes (they would hide tags from this scan), partials and
    /// inheritance (there is no template library to load them from), and pragmas (they would
    /// switch a field's escaping).
    static func scan(_ text: String, limits: TemplateLimits) throws(TemplateLimitError) -> TemplateShape {
        var shape = TemplateShape()
        // Text without tags is sent as it is, at no cost per recipient: no limit of ours applies.
        guard text.contains("{{") else { return shape }
        guard text.utf8.count <= limits.maxTemplateBytes else {
            throw TemplateLimitError("is longer than \(limits.maxTemplateBytes) bytes")
        }
        let bytes = Array(text.utf8)
        var openSections: [Int] = []  // where each open section's body starts
        var index = 0
        while let open = find([0x7B, 0x7B], in: bytes, from: index), open + 2 < bytes.count {
            let sigil = bytes[open + 2]
            let closer: [UInt8] = sigil == UInt8(ascii: "{") ? [0x7D, 0x7D, 0x7D] : [0x7D, 0x7D]
            // An unterminated tag: swift-mustache refuses it, and nothing after it is a tag.
            guard let close = find(closer, in: bytes, from: open + 2) else { break }
            if sigil != UInt8(ascii: "!"), close - open - 2 > limits.maxTagBytes {
                throw TemplateLimitError("has a tag longer than \(limits.maxTagBytes) bytes")
            }
            index = close + closer.count
            switch sigil {
            case UInt8(ascii: "#"), UInt8(ascii: "^"):
                openSections.append(index)
                shape.depth = max(shape.depth, openSections.count)
                guard openSections.count <= limits.maxDepth else {
                    throw TemplateLimitError("nests sections deeper than \(limits.maxDepth)")
                }
            case UInt8(ascii: "/"):
                if let start = openSections.popLast() { shape.largestSectionBytes = max(shape.largestSectionBytes, open - start) }
            case UInt8(ascii: "="):
                throw TemplateLimitError("changes the tag delimiters ({{=…=}}), which is not supported")
            case UInt8(ascii: ">"):
                throw TemplateLimitError("uses a partial ({{>…}}), which is not supported")
            case UInt8(ascii: "<"), UInt8(ascii: "$"):
                throw TemplateLimitError("uses template inheritance ({{<…}}, {{$…}}), which is not supported")
            case UInt8(ascii: "%"):
                throw TemplateLimitError("uses a pragma ({{%…}}), which is not supported")
            default:
                break
            }
        }
        return shape
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard start >= 0, bytes.count >= needle.count else { return nil }
        var i = start
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0] {
                var matches = true
                for k in 1..<needle.count where bytes[i + k] != needle[k] {
                    matches = false
                    break
                }
                if matches { return i }
            }
            i += 1
        }
        return nil
    }
}
