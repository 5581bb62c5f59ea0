import BatchSenderSQLite
import Foundation

/// A fresh database file in its own temporary directory, removed when the value is released.
final class TemporaryDatabase: Sendable {
    let directory: URL
    var path: String { directory.appendingPathComponent("test.db").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("batchsender-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A migrated store on this file.
    func store() async throws -> SQLiteStore {
        try await SQLiteStore.open(path: path)
    }
}
