import BatchSenderPostgres
import Foundation

/// Where one side of a copy lives: a database URL as `BATCHSENDER_DATABASE_URL` takes it.
enum CopyLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresConfiguration)

    /// Parses `url`; errors name `flag` (`--from`, `--to`) instead of the environment variable.
    init(url: String, flag: String) throws {
        do {
            switch try AppConfig.parseDatabase(url) {
            case .sqlite(let path): self = .sqlite(path: path)
            case .postgres(var configuration):
                // One connection: everything a copy does is sequential, and `otherSessions`
                // counts exactly the sessions that are not ours.
                configuration.maximumConnections = 1
                self = .postgres(configuration)
            }
        } catch {
            let setting = AppConfig.Setting.databaseURL.rawValue
            let message = "\(error)"
            throw ConfigError(flag + message.dropFirst(message.hasPrefix(setting) ? setting.count : 0))
        }
    }

    var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let configuration): configuration.description
        }
    }

    /// The file's device and inode, which two paths to one SQLite database share; `nil` when
    /// the file does not exist yet.
    static func fileIdentity(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "sqlite:\(info.st_dev):\(info.st_ino)"
    }
}
