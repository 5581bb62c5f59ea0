import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The real `batchsender` binary, run as a user would run it.
enum Binary {
    /// `batchsender` sits next to the test bundle in SwiftPM's build directory.
    static var url: URL {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDir.appendingPathComponent("batchsender"),
            bundleDir.deletingLastPathComponent().appendingPathComponent("batchsender"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs a command to completion; returns exit status, stdout and stderr. `input`, when given,
    /// is written to its stdin (then closed).
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws
        -> (Int32, String, String)
    {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        if input != nil { process.standardInput = stdin }
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// `bs.db` in a new temporary directory.
    static func temporaryDatabase() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bs-e2e-\(UUID().uuidString)")
        // Creating a directory under the system temporary directory does not fail in practice;
        // if it did, the server's start would report the path it could not use.
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("bs.db").path
    }

    /// A TCP port that was free a moment ago.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A running `batchsender serve`, stopped with SIGTERM.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let stdout = Pipe()
    private let stderr = Pipe()

    convenience init(databasePath: String, port: Int = Binary.freePort(), environment: [String: String] = [:]) throws {
        try self.init(databaseURL: "sqlite:\(databasePath)", port: port, environment: environment)
    }

    /// `serve` on any database URL, with extra arguments such as `--role worker`.
    init(
        databaseURL: String, arguments: [String] = [], port: Int = Binary.freePort(), environment: [String: String] = [:]
    ) throws {
        self.port = port
        process.executableURL = Binary.url
        process.arguments = ["serve", "--database-url", databaseURL, "--port", String(port)] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Waits until `/health` answers.
    func waitUntilHealthy(timeout: TimeInterval = 60) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let (status, _) = try? await request("GET", "/health"), status == 200 { return }
            guard process.isRunning else { throw ServerError.exited(readError()) }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerError.timeout
    }

    /// Kills the process at once, as a crash would.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts a server on `databasePath`, reads its admin key and waits until it answers.
    static func started(databasePath: String, environment: [String: String] = [:]) async throws -> (ServerProcess, key: String) {
        let server = try ServerProcess(databasePath: databasePath, environment: environment)
        let key = try server.adminKey()
        try await server.waitUntilHealthy()
        return (server, key)
    }

    func request(
        _ method: String, _ path: String, key: String? = nil, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Sends SIGTERM and returns the exit status (or nil if it did not exit in time).
    func terminate(timeout: TimeInterval = 30) async -> Int32? {
        process.terminate()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    /// The server's stdout, to read the admin key line while it runs.
    var stdoutHandle: FileHandle { stdout.fileHandleForReading }

    /// Everything the server printed on stdout (call after it exited).
    func readOutput() -> String { String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    func readError() -> String { String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    enum ServerError: Error {
        case timeout
        case exited(String)
    }
}
