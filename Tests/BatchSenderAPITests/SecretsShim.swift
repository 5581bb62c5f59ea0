import BatchSenderSecrets

/// Test access to the secrets helpers the API uses.
enum BatchSenderSecretsHash {
    static func of(_ key: String) -> String { APIKeySecret.hash(key) }
    static func hint(_ secret: String) -> String { CredentialSealer.hint(for: secret) }
}
