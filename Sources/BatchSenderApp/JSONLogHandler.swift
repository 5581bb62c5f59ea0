import BatchSenderCore
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes each log event as one line of JSON on stderr (`BATCHSENDER_LOG_FORMAT=json`):
///
///     {"timestamp":"2026-12-02T18:18:48.123456Z","level":"warning","label":"batchsender",
///      "message":"refused provider event","source":"BatchSenderAPI",
///      "metadata":{"hb.request.id":"9f0c…","provider":"webhook"}}
///
/// `timestamp` is RFC 3339 in UTC with microseconds; `metadata` (omitted when empty) holds the
/// logger's, the metadata provider's and the call's metadata, later ones winning, with nested
/// dictionaries and arrays kept as JSON objects and arrays. Strings are escaped as RFC 8259 §7
/// requires (quotes, backslashes, every control character), so a message with newlines is still
/// one line.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String
    let output: @Sendable ([UInt8]) -> Void

    /// - Parameter output: receives each finished line, newline included; stderr by default.
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        output: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.writeToStandardError
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { $1 } }
        if let call = event.metadata, !call.isEmpty { merged.merge(call) { $1 } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(String(reflecting: error))" }
        output(Self.line(
            timestamp: Self.now(), level: event.level, label: label, message: event.message.description,
            source: event.source, metadata: merged))
    }

    /// One encoded line, newline included.
    static func line(
        timestamp: String, level: Logger.Level, label: String, message: String, source: String, metadata: Logger.Metadata
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + message.utf8.count)
        out.append(contentsOf: #"{"timestamp":"#.utf8)
        JSONWriter.writeString(timestamp, to: &out)
        out.append(contentsOf: #","level":"#.utf8)
        JSONWriter.writeString(level.rawValue, to: &out)
        out.append(contentsOf: #","label":"#.utf8)
        JSONWriter.writeString(label, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONWriter.writeString(message, to: &out)
        out.append(contentsOf: #","source":"#.utf8)
        JSONWriter.writeString(source, to: &out)
        if !metadata.isEmpty {
            out.append(contentsOf: #","metadata":"#.utf8)
            append(metadata, to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    /// Keys sorted, so equal metadata always reads the same.
    static func append(_ metadata: Logger.Metadata, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, key) in metadata.keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            // The key comes from the dictionary's own keys, so the value is there.
            if let value = metadata[key] { append(value, to: &out) }
        }
        out.append(UInt8(ascii: "}"))
    }

    static func append(_ value: Logger.MetadataValue, to out: inout [UInt8]) {
        switch value {
        case .string(let string): JSONWriter.writeString(string, to: &out)
        case .stringConvertible(let convertible): JSONWriter.writeString(convertible.description, to: &out)
        case .dictionary(let dictionary): append(dictionary, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// The current time as `2026-12-02T18:18:48.123456Z`, without Foundation's formatters
    /// (which cost more than the rest of the line).
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return timestamp(seconds: Int(spec.tv_sec), microseconds: Int(spec.tv_nsec) / 1_000)
    }

    static func timestamp(seconds: Int, microseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(27)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(microseconds, 6); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes a whole line to stderr. Lines from concurrent tasks never interleave: one writer at
    /// a time, and the loop finishes partial writes (a pipe may take less than a long line).
    @Sendable public static func writeToStandardError(_ line: [UInt8]) {
        writeLock.withLock { _ in
            line.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(STDERR_FILENO, base + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // stderr is gone: nowhere left to report it
                    }
                }
            }
        }
    }

    private static let writeLock = Mutex(())
}

/// write(2), named apart from the handler's own `append` helpers.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, bytes, count)
    #else
    Darwin.write(fd, bytes, count)
    #endif
}
