import Foundation

/// The Python peers of the tests (`scripts/test-servers/`), whose packages `scripts/test`
/// installs: provider libraries that sign, servers that receive.
public enum PythonScript {
    /// `scripts/test-servers` in this checkout.
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/test-servers")

    /// Runs `python3 <arguments>` to completion with `input` on standard input.
    public static func run(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }

    /// Runs `scripts/test-servers/<script>` and returns its trimmed output; a failure (a
    /// missing package, say) throws with the script's error output and how to install.
    public static func output(_ script: String, _ arguments: [String], input: String = "") throws -> String {
        let result = try run([directory.appendingPathComponent(script).path] + arguments, input: input)
        guard result.status == 0 else {
            throw ScriptFailure(description: "\(script) failed (\(result.status)): \(result.error.suffix(600))\n"
                + "install the test peers: python3 -m pip install -r scripts/test-servers/requirements.txt")
        }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct ScriptFailure: Error, CustomStringConvertible {
        public var description: String
    }
}
