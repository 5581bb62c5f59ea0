/// An incremental RFC 4180 parser: feed it bytes as they arrive, take complete records out.
///
/// Written here rather than taken from a package because uploads arrive as a stream of network
/// chunks of up to 256 MiB in total; the listed CSV packages parse whole strings or blocking
/// `InputStream`s. Accepts `,` separators, `"` quoting with `""` escapes, LF or CRLF line ends,
/// a UTF-8 byte-order mark, and a missing final newline. Fields must be valid UTF-8: replacing
/// bad bytes with U+FFFD would let two different inputs become one address.
public struct CSVParser: Sendable {
    /// Largest single field; a longer one is an error rather than unbounded memory.
    public var maxFieldBytes: Int
    /// Most fields in one record: a line of commas is millions of empty strings otherwise.
    public var maxFieldsPerRecord: Int
    /// Largest record in bytes, separators and quotes included.
    public var maxRecordBytes: Int

    private var field: [UInt8] = []
    private var record: [String] = []
    private var inQuotes = false
    private var quoteSeen = false  // the previous byte closed or escaped a quote
    private var fieldWasQuoted = false
    private var pendingCR = false
    private var recordBytes = 0

    public init(maxFieldBytes: Int = 1 << 20, maxFieldsPerRecord: Int = 1_000, maxRecordBytes: Int = 2 << 20) {
        self.maxFieldBytes = maxFieldBytes
        self.maxFieldsPerRecord = maxFieldsPerRecord
        self.maxRecordBytes = maxRecordBytes
    }

    /// Parses `bytes`, appending each completed record to `records`.
    public mutating func feed(_ bytes: some Sequence<UInt8>, into records: inout [[String]]) throws(CSVError) {
        for byte in bytes { try consume(byte, into: &records) }
    }

    /// Ends the input: returns the last record if the input did not end with a newline.
    public mutating func finish(into records: inout [[String]]) throws(CSVError) {
        if inQuotes { throw .unterminatedQuote }
        if pendingCR { pendingCR = false }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted {
            try endRecord(into: &records)
        }
    }

    private mutating func consume(_ byte: UInt8, into records: inout [[String]]) throws(CSVError) {
        recordBytes += 1
        guard recordBytes <= maxRecordBytes else { throw .recordTooLong(maxRecordBytes) }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        if inQuotes {
            if byte == quote {
                inQuotes = false
                quoteSeen = true
            } else {
                try append(byte)
            }
            return
        }
        if quoteSeen {
            quoteSeen = false
            if byte == quote {  // "" inside a quoted field
                inQuotes = true
                try append(quote)
                return
            }
        }
        if pendingCR {
            pendingCR = false
            if byte == lf {  // CRLF: the record already ended at CR
                recordBytes = 0
                return
            }
        }
        switch byte {
        case comma:
            try endField()
        case lf:
            try endRecord(into: &records)
        case cr:
            try endRecord(into: &records)
            pendingCR = true
        case quote where !fieldWasQuoted && (field.isEmpty || (!bomHandled && field == Self.bom)):
            if !field.isEmpty { field.removeAll(keepingCapacity: true); bomHandled = true }
            inQuotes = true
            fieldWasQuoted = true
        default:
            try append(byte)
        }
    }

    private mutating func append(_ byte: UInt8) throws(CSVError) {
        guard field.count < maxFieldBytes else { throw .fieldTooLong(maxFieldBytes) }
        field.append(byte)
    }

    private mutating func endField() throws(CSVError) {
        guard record.count < maxFieldsPerRecord else { throw .tooManyFields(maxFieldsPerRecord) }
        var bytes = field[...]
        if !bomHandled, bytes.starts(with: Self.bom) {
            bytes = bytes.dropFirst(3)
        }
        bomHandled = true
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        // NUL is valid UTF-8 but no text column stores it (PostgreSQL refuses it): refused here,
        // as a 422 naming the row, rather than as a database error.
        guard !bytes.contains(0) else { throw .nulCharacter }
        record.append(text)
        field.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
    }

    /// Whether the first field (where a UTF-8 byte-order mark may stand) has been seen.
    private var bomHandled = false
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    private mutating func endRecord(into records: inout [[String]]) throws(CSVError) {
        try endField()
        records.append(record)
        record.removeAll(keepingCapacity: true)
        recordBytes = 0
    }
}

/// Why CSV input could not be parsed.
public enum CSVError: Error, Hashable, Sendable, CustomStringConvertible {
    case unterminatedQuote
    case fieldTooLong(Int)
    case tooManyFields(Int)
    case recordTooLong(Int)
    case invalidUTF8
    case nulCharacter

    public var description: String {
        switch self {
        case .unterminatedQuote: "a quoted field is not closed before the end of the file"
        case .fieldTooLong(let limit): "a field is longer than \(limit) bytes"
        case .tooManyFields(let limit): "a row has more than \(limit) fields"
        case .recordTooLong(let limit): "a row is longer than \(limit) bytes"
        case .invalidUTF8: "a field is not valid UTF-8"
        case .nulCharacter: "a field contains a NUL character"
        }
    }
}
