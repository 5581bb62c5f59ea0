import BatchSenderSecrets
import BatchSenderStore
import Foundation

/// A master key and where it came from (for messages; never the key itself).
struct NamedMasterKey: Sendable, Equatable {
    var key: Data
    var origin: String
}

/// Which master key opens the source's sealed data and which one the target's servers will use.
///
/// - Source: `--from-master-key`; else the candidates a server on the source could have used —
///   `BATCHSENDER_MASTER_KEY`, and for SQLite the key file beside the database — of which the
///   first that opens the source's sealed samples wins. (With `BATCHSENDER_MASTER_KEY` set to a
///   new PostgreSQL key, the SQLite source's key file is still found.)
/// - Target: `--to-master-key`, else `BATCHSENDER_MASTER_KEY`, else (SQLite) its key file, else
///   (SQLite without one) the source's key, written as its key file: nothing needs re-sealing.
struct CopyMasterKeys: Sendable {
    var source: NamedMasterKey?
    var target: NamedMasterKey?

    /// Whether sealed data must be opened and sealed again.
    var differ: Bool {
        guard let source, let target else { return false }
        return source.key != target.key
    }

    static let postgresTargetNeedsKey = ConfigError(
        "a PostgreSQL target needs its master key: set BATCHSENDER_MASTER_KEY or pass --to-master-key")

    static func decode(_ base64: String, origin: String) throws -> NamedMasterKey {
        do {
            return NamedMasterKey(key: try MasterKey.decode(base64), origin: origin)
        } catch {
            throw ConfigError("\(origin): \(error)")
        }
    }

    /// The candidates for the source's key, in order of preference.
    static func sourceCandidates(flag: NamedMasterKey?, environment: NamedMasterKey?, location: CopyLocation) throws
        -> [NamedMasterKey]
    {
        if let flag { return [flag] }
        var candidates = environment.map { [$0] } ?? []
        if case .sqlite(let path) = location, let file = try readKeyFile(forDatabase: path) { candidates.append(file) }
        return candidates
    }

    /// The first candidate that opens every sample; the first candidate when there is nothing
    /// sealed to test (then no key is needed at all).
    static func chooseSource(_ candidates: [NamedMasterKey], samples: [SealedSample]) throws -> NamedMasterKey? {
        guard !samples.isEmpty else { return candidates.first }
        guard !candidates.isEmpty else {
            throw ConfigError("no master key for the source's sealed credentials: pass --from-master-key or set BATCHSENDER_MASTER_KEY")
        }
        for candidate in candidates {
            let sealer = try CredentialSealer(masterKey: candidate.key)
            if samples.allSatisfy({ $0.opens(with: sealer) }) { return candidate }
        }
        let tried = candidates.map(\.origin).joined(separator: " or ")
        throw ConfigError("the source's sealed credentials do not open with \(tried): pass the source's key with --from-master-key")
    }

    /// The target's key, and the SQLite key file to write it to when the target has none (so a
    /// server started there without `BATCHSENDER_MASTER_KEY` uses the same key). Writes nothing.
    static func chooseTarget(
        flag: NamedMasterKey?, environment: NamedMasterKey?, location: CopyLocation, source: NamedMasterKey?
    ) throws -> (key: NamedMasterKey?, keyFile: String?) {
        guard case .sqlite(let path) = location else {
            guard let key = flag ?? environment else { throw postgresTargetNeedsKey }
            return (key, nil)
        }
        let file = try readKeyFile(forDatabase: path)
        guard let chosen = flag ?? environment ?? file ?? source else { return (nil, nil) }
        if let file, file.key != chosen.key {
            // A server started there without BATCHSENDER_MASTER_KEY would use the file.
            throw ConfigError("\(file.origin) holds another master key than \(chosen.origin): remove it or pass the key it holds")
        }
        return (chosen, file == nil ? path : nil)
    }

    static func readKeyFile(forDatabase path: String) throws -> NamedMasterKey? {
        let file = AppConfig.keyFilePath(forDatabase: path)
        guard let contents = FileManager.default.contents(atPath: file) else { return nil }
        return try decode(String(decoding: contents, as: UTF8.self), origin: file)
    }

    /// Creates `PATH.key` with mode 0600, as `MasterKey.loadOrCreate` does (never overwriting one).
    static func writeKeyFile(_ key: Data, forDatabase path: String) throws {
        let file = AppConfig.keyFilePath(forDatabase: path)
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw ConfigError("cannot create master key file \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let text = Array((key.base64EncodedString() + "\n").utf8)
        guard write(fd, text, text.count) == text.count else {
            throw ConfigError("cannot write master key file \(file): \(String(cString: strerror(errno)))")
        }
    }
}

/// A source row holding sealed data: what a candidate key is tested on.
struct SealedSample: Sendable {
    var data: SealedData
    var table: CopyTable
    var row: [CopyValue]

    func opens(with sealer: CredentialSealer) -> Bool { data.opens(row, in: table, with: sealer) }
}
