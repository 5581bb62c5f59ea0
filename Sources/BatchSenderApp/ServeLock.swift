import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on `PATH.lock` held for the life of `serve` on SQLite: one process owns an
/// embedded database. That ownership is what lets start-up take back every lease at once — a
/// recipient still `sending` can only belong to a process that died.
public final class ServeLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock beside `databasePath`, or throws when another process holds it.
    public init(databasePath: String) throws {
        let path = databasePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw ConfigError("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ConfigError("another batchsender serve is using \(databasePath); with SQLite one process owns the database")
        }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
