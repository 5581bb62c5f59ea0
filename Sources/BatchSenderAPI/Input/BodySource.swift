import BatchSenderSecrets
import Foundation
import Hummingbird
import NIOCore

/// A pull-based source of body buffers, shareable with the store's consumer.
///
/// `@unchecked Sendable`: the iterator is advanced only by `next()`, which the single consumer of
/// an upload calls serially.
final class BodySource: @unchecked Sendable {
    private var iterator: RequestBody.AsyncIterator?
    private var file: FileHandle?
    private let spoolPath: String?

    /// Reads the request body as it arrives.
    init(streaming body: RequestBody) {
        iterator = body.makeAsyncIterator()
        file = nil
        spoolPath = nil
    }

    private init(spooledAt path: String, file: FileHandle) {
        iterator = nil
        self.file = file
        spoolPath = path
    }

    func next() async throws -> ByteBuffer? {
        if iterator != nil { return try await iterator?.next() }
        guard let file else { return nil }
        guard let data = try file.read(upToCount: 256 << 10), !data.isEmpty else { return nil }
        return ByteBuffer(bytes: data)
    }

    /// Removes the spool file, if any.
    func close() {
        try? file?.close()
        file = nil
        if let spoolPath { try? FileManager.default.removeItem(atPath: spoolPath) }
    }

    /// Copies a body to a temporary file while fingerprinting it, so a large upload with an
    /// `Idempotency-Key` can be compared with its first use before anything is stored, without
    /// holding the upload in memory.
    static func spool(_ request: Request, limit: Int) async throws -> (BodySource, fingerprint: String) {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("batchsender-upload-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let writer = FileHandle(forWritingAtPath: path)
        else { throw SpoolError.cannotCreate(path) }
        var hasher = RequestFingerprint()
        hasher.update("\(request.method) \(request.uri.path)?\(request.uri.query ?? "")\n")
        var total = 0
        do {
            for try await chunk in request.body {
                total += chunk.readableBytes
                guard total <= limit else { throw JSONBody.tooLarge(limit) }
                hasher.update(chunk.readableBytesView)
                try writer.write(contentsOf: chunk.readableBytesView)
            }
            try writer.close()
        } catch {
            try? writer.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        guard let reader = FileHandle(forReadingAtPath: path) else { throw SpoolError.cannotCreate(path) }
        return (BodySource(spooledAt: path, file: reader), hasher.finalize())
    }

    enum SpoolError: Error {
        case cannotCreate(String)
    }
}
