import Foundation

/// Loads or creates the master key that seals credentials (CONTRACT §1).
public enum MasterKey {
    /// Decodes `BATCHSENDER_MASTER_KEY`: base64 of exactly 32 bytes.
    public static func decode(_ base64: String) throws(MasterKeyError) -> Data {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .notBase64
        }
        guard data.count == 32 else { throw .wrongLength(data.count) }
        return data
    }

    /// Reads the key file at `path`, or creates it with a new random key and mode 0600.
    /// Creation uses `O_EXCL`, so two processes starting at once agree on one key.
    public static func loadOrCreate(at path: String) throws -> Data {
        if let existing = FileManager.default.contents(atPath: path) {
            return try decode(String(decoding: existing, as: UTF8.self))
        }
        var rng = SystemRandomNumberGenerator()
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST, let existing = FileManager.default.contents(atPath: path) {
                return try decode(String(decoding: existing, as: UTF8.self))
            }
            throw MasterKeyFileError(path: path, errno: errno)
        }
        defer { close(fd) }
        let text = Array((key.base64EncodedString() + "\n").utf8)
        guard write(fd, text, text.count) == text.count else { throw MasterKeyFileError(path: path, errno: errno) }
        return key
    }
}

/// The master key file could not be written.
public struct MasterKeyFileError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "cannot create master key file \(path): \(String(cString: strerror(errno)))" }
}
