import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite database's files are private to the user that runs BatchSender: they hold API key
/// hashes, sealed credentials and every recipient's address.
enum DatabaseFiles {
    /// Creates the database file with mode 0600 before SQLite opens it — SQLite creates `-wal`
    /// and `-shm` with the database file's mode, so they follow — and takes group and other
    /// access away from files an older version created 0644.
    static func restrict(databasePath path: String) throws {
        guard path != ":memory:", !path.hasPrefix("file:") else { return }
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else {
            throw ConfigError("cannot create database file \(path): \(String(cString: strerror(errno)))")
        }
        close(fd)
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] {
            var info = stat()
            guard stat(file, &info) == 0, info.st_mode & 0o077 != 0 else { continue }
            if chmod(file, info.st_mode & 0o700) != 0 {
                throw ConfigError("cannot make \(file) private (chmod): \(String(cString: strerror(errno)))")
            }
        }
    }
}
