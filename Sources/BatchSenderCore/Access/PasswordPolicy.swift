/// What a dashboard password must be. bcrypt reads at most 72 bytes of a password and stops at
/// a NUL byte (OpenBSD `bcrypt(3)`: "the password is truncated to 72 bytes"): rather than let a
/// longer password silently share a hash with its first 72 bytes, it is refused.
public enum PasswordPolicy {
    /// At least this many characters (NIST SP 800-63B §3.1.1.2 asks for at least 8 when the
    /// user chooses the password).
    public static let minimumCharacters = 8
    /// bcrypt's input limit, in UTF-8 bytes.
    public static let maximumBytes = 72

    /// `nil` when `password` is acceptable, else the reason it is not, to follow the word
    /// "password" ("must be at least 8 characters"); never the password itself.
    public static func problem(with password: String) -> String? {
        if password.isEmpty { return "must not be empty" }
        if password.count < minimumCharacters { return "must be at least \(minimumCharacters) characters" }
        if password.utf8.count > maximumBytes {
            return "must be at most \(maximumBytes) bytes (bcrypt ignores anything longer)"
        }
        if password.utf8.contains(0) { return "must not contain a NUL character" }
        return nil
    }
}
