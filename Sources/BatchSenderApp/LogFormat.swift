import Logging
import Synchronization

/// `BATCHSENDER_LOG_FORMAT`: how log lines are written to stderr.
public enum LogFormat: String, CaseIterable, Sendable {
    /// swift-log's `StreamLogHandler` lines, for people reading a terminal.
    case text
    /// One JSON object per line (`JSONLogHandler`), for log collectors.
    case json

    /// Installs the process-wide log handler for this format. Call once, before the first
    /// `Logger` is made: loggers made earlier keep the handler they were made with. Later calls
    /// do nothing (swift-log allows one bootstrap per process).
    public func bootstrap() {
        let first = LogFormat.bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        switch self {
        // swift-log's default handler already is the text one, on stderr.
        case .text: break
        case .json: LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        }
    }

    private static let bootstrapped = Mutex(false)
}
