import BatchSenderCore
import BatchSenderStore
import Hummingbird
import NIOCore

/// What to do with invalid rows of an upload (`?onInvalid=`).
enum OnInvalid: String, CaseIterable {
    /// Nothing is stored; 422 lists the rows.
    case reject
    /// Valid rows are stored; the response lists the rejected ones.
    case skip
}

/// Parses a CSV body into chunks of recipients as the store asks for them, so memory holds one
/// network buffer and one chunk however large the upload (the store pulls; nothing runs ahead).
///
/// `@unchecked Sendable`: the store's consumer calls `next()` serially, one call at a time, which
/// is the only access to the mutable state while the upload runs; the controller reads the
/// results only after the store has finished consuming.
final class CSVRecipientStream: @unchecked Sendable {
    static let chunkSize = 5_000
    /// Rejected rows listed in a response; the total is always given.
    static let listedIssueLimit = 1_000

    private let source: @Sendable () async throws -> ByteBuffer?
    private let input: RecipientInput
    private let mode: OnInvalid
    private let byteLimit: Int
    private var parser = CSVParser()
    private var columns: CSVColumns?
    private var records: [[String]] = []
    private var recordCursor = 0
    private var rowNumber = 0
    private var bytesRead = 0
    private var ended = false
    private var headerError: APIError?

    /// Rejected rows (at most `listedIssueLimit` of them) and how many there were in all.
    private(set) var issues: [ValidationIssue] = []
    private(set) var rejectedCount = 0

    init(source: @escaping @Sendable () async throws -> ByteBuffer?, input: RecipientInput, mode: OnInvalid, byteLimit: Int) {
        self.source = source
        self.input = input
        self.mode = mode
        self.byteLimit = byteLimit
    }

    /// The chunks, for `BatchStore.addRecipients`.
    var chunks: AsyncThrowingStream<[NewRecipient], any Error> {
        AsyncThrowingStream(unfolding: { [self] in try await self.next() })
    }

    /// The chunk being parsed while the store writes the previous one: parsing and writing
    /// overlap on two cores, and memory still holds at most two chunks.
    private var prefetch: Task<[NewRecipient]?, any Error>?

    /// The next chunk; `nil` at the end. In reject mode, the end of an input with invalid rows
    /// throws `rejection` so the store keeps nothing.
    func next() async throws -> [NewRecipient]? {
        let current: [NewRecipient]?
        if let pending = prefetch {
            prefetch = nil
            current = try await pending.value
        } else {
            current = try await produce()
        }
        if current != nil { prefetch = Task { try await self.produce() } }
        return current
    }

    /// Stops a prefetch still running (the store stopped pulling early).
    func cancel() {
        prefetch?.cancel()
        prefetch = nil
    }

    private func produce() async throws -> [NewRecipient]? {
        var chunk: [NewRecipient] = []
        chunk.reserveCapacity(Self.chunkSize)
        while chunk.count < Self.chunkSize {
            if let headerError { throw headerError }
            if recordCursor < records.count {
                take(records[recordCursor], into: &chunk)
                recordCursor += 1
                continue
            }
            if ended { break }
            try await readMore()
        }
        if chunk.isEmpty && ended && recordCursor >= records.count {
            if columns == nil { throw APIError.invalid([ValidationIssue(row: 1, message: "the CSV has no header row")]) }
            if mode == .reject && rejectedCount > 0 { throw rejection }
            return nil
        }
        // In reject mode nothing after the first bad row can be kept; stop handing rows over.
        return mode == .reject && rejectedCount > 0 ? [] : chunk
    }

    /// The 422 of a rejected upload.
    var rejection: APIError {
        var error = APIError.invalid(issues)
        if rejectedCount > issues.count {
            error.detail += "; \(rejectedCount) rows were rejected in all, the first \(issues.count) are listed"
        }
        return error
    }

    private func readMore() async throws {
        records.removeAll(keepingCapacity: true)
        recordCursor = 0
        do {
            if let buffer = try await source() {
                bytesRead += buffer.readableBytes
                guard bytesRead <= byteLimit else { throw JSONBody.tooLarge(byteLimit) }
                try buffer.withUnsafeReadableBytes { try parser.feed($0, into: &records) }
            } else {
                ended = true
                try parser.finish(into: &records)
            }
        } catch let error as CSVError {
            // The rows this buffer completed before the bad one are still to be taken.
            throw APIError.invalid([ValidationIssue(row: rowNumber + records.count + 1, message: "malformed CSV: \(error)")])
        }
    }

    private func take(_ fields: [String], into chunk: inout [NewRecipient]) {
        rowNumber += 1
        guard let columns else {
            do {
                columns = try CSVColumns(header: fields)
            } catch {
                headerError = error
            }
            return
        }
        if fields.count == 1 && fields[0].isEmpty { return }  // a blank line
        switch columns.recipient(from: fields, row: rowNumber, input: input) {
        case .success(let recipient):
            if mode == .skip || rejectedCount == 0 { chunk.append(recipient) }
        case .failure(let issue):
            rejectedCount += 1
            if issues.count < Self.listedIssueLimit { issues.append(issue) }
        }
    }
}
