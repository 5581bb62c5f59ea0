import Foundation

/// Minimal JSON access for tests that drive the binary over HTTP.
enum JSON {
    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static func string(_ text: String, _ key: String) -> String? { object(text)[key] as? String }

    static func encode(_ value: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

extension ServerProcess {
    /// The admin key printed at first start (waits for the line).
    func adminKey(timeout: TimeInterval = 30) throws -> String {
        let handle = stdoutHandle
        var buffer = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            if let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first,
                buffer.contains(UInt8(ascii: "\n"))
            {
                return String(line.dropFirst("admin api key: ".count))
            }
        }
        throw ServerError.timeout
    }

    /// Polls a batch until `done` holds for its JSON (bounded).
    func waitForBatch(_ id: String, key: String, timeout: TimeInterval = 120, _ done: ([String: Any]) -> Bool) async throws
        -> [String: Any]
    {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [String: Any] = [:]
        while Date() < deadline {
            let (_, body) = try await request("GET", "/v1/batches/\(id)", key: key)
            last = JSON.object(body)
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerError.exited("batch \(id) did not reach the expected state: \(last)")
    }
}
