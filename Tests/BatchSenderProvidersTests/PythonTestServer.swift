import BatchSenderTesting
import Foundation

/// A test server written in Python (`scripts/test-servers/NAME.py`), run on 127.0.0.1: it
/// writes its port to `DIR/port` when ready and stops when its standard input closes. The
/// packages it needs are installed by `scripts/test`; if they are missing the test fails with
/// `installHint` — nothing is skipped.
final class PythonTestServer: @unchecked Sendable {
    static var scripts: URL { PythonScript.directory }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    let process = Process()
    let directory: URL
    let port: Int
    private let input = Pipe()

    /// Starts `scripts/test-servers/<script>` with `--dir DIR` and `arguments`.
    init(script: String, arguments: [String] = [], installHint: String) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bs-\(script)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scripts.appendingPathComponent(script).path, "--dir", directory.path] + arguments
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(90)
        while true {
            if let text = try? String(contentsOf: directory.appendingPathComponent("port"), encoding: .utf8), let port = Int(text) {
                self.port = port
                return
            }
            let problem: String? =
                if !process.isRunning { "exited with status \(process.terminationStatus)" }
                else if ContinuousClock.now > deadline { "did not report its port within 90 s" }
                else { nil }
            if let problem {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                process.terminate()
                throw StartFailure(description: "\(script) \(problem): \(output.suffix(800))\n\(installHint)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
