extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal digits, two per byte (digests and signatures).
    public var hexString: String {
        var out = ""
        for byte in self {
            out.append(Self.digits[Int(byte >> 4)])
            out.append(Self.digits[Int(byte & 0x0F)])
        }
        return out
    }

    private static var digits: [Character] { Array("0123456789abcdef") }
}
