/// What a template's tags reveal, read without swift-mustache (whose parser recurses once per
/// section, so it must not see a template nested deeper than the limit).
struct TemplateShape: Sendable {
    /// The deepest section nesting.
    var depth = 0
    /// Bytes of the largest section body: the most literal text one iteration can render.
    var largestSectionBytes = 0
    /// Bytes of the largest body of the sections that look a value up by each name (the last
    /// part of a dotted name, the argument of a transform): what one iteration over a list found
    /// by that name can render.
    var sectionBytes: [String: Int] = [:]

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
        var openSections: [(start: Int, name: String)] = []  // each open section's body start and name
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
                openSections.append((index, lookupName(bytes[(open + 3)..<close])))
                shape.depth = max(shape.depth, openSections.count)
                guard openSections.count <= limits.maxDepth else {
                    throw TemplateLimitError("nests sections deeper than \(limits.maxDepth)")
                }
            case UInt8(ascii: "/"):
                if let (start, name) = openSections.popLast() {
                    shape.largestSectionBytes = max(shape.largestSectionBytes, open - start)
                    shape.sectionBytes[name] = max(shape.sectionBytes[name] ?? 0, open - start)
                }
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

    /// The name a section's value is finally looked up by: `items` for `items`, `order.items`
    /// and `reversed(items)`.
    static func lookupName(_ tag: ArraySlice<UInt8>) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        var trimmed = tag
        while let first = trimmed.first, isSpace(first) { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, isSpace(last) { trimmed = trimmed.dropLast() }
        var name = Substring(String(decoding: trimmed, as: UTF8.self))
        if let open = name.lastIndex(of: "(") { name = name[name.index(after: open)...] }
        if let close = name.firstIndex(of: ")") { name = name[..<close] }
        if name != ".", let dot = name.lastIndex(of: ".") { name = name[name.index(after: dot)...] }
        return String(name)
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
