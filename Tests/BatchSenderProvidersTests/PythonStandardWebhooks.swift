import Foundation
import Testing

/// Cross-checks signatures with the reference Python implementation (PyPI `standardwebhooks`),
/// when it is installed. The test installs nothing: the test script does
/// `python3 -m pip install standardwebhooks==1.1.0`.
enum PythonStandardWebhooks {
    static let skipMessage: Comment =
        "Python package standardwebhooks is not installed; run: python3 -m pip install standardwebhooks==1.1.0"

    /// Whether `python3` can import `standardwebhooks`.
    static let isInstalled: Bool = (try? run(["-c", "import standardwebhooks"], environment: [:]).status) == 0

    /// Verifies with `standardwebhooks.Webhook(secret).verify(body, headers)`; returns "ok" or the error.
    static func verify(secret: String, headers: [String: String], body: String) throws -> String {
        let script = """
            import os, sys
            from standardwebhooks.webhooks import Webhook
            headers = {k: os.environ["WH_" + k.upper().replace("-", "_")] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
            try:
                Webhook(os.environ["WH_SECRET"]).verify(os.environ["WH_BODY"], headers)
                print("ok")
            except Exception as error:
                print(type(error).__name__, error)
            """
        let result = try run(["-c", script], environment: [
            "WH_SECRET": secret, "WH_BODY": body,
            "WH_WEBHOOK_ID": headers["webhook-id"] ?? "",
            "WH_WEBHOOK_TIMESTAMP": headers["webhook-timestamp"] ?? "",
            "WH_WEBHOOK_SIGNATURE": headers["webhook-signature"] ?? "",
        ])
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func run(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
