import Foundation
import NIOSSL

/// The HTTPS configuration of the server (CONTRACT §12), read from `AppConfig.TLSFiles` and
/// checked before anything starts, so a bad file is one clear line instead of a failed handshake
/// for every client later.
enum ServerTLS {
    /// TLS 1.2 or newer (RFC 8996 deprecates 1.0 and 1.1), the certificate chain and its key.
    /// Hummingbird's HTTP/2 server adds the ALPN protocols `h2` and `http/1.1`.
    static func configuration(_ files: AppConfig.TLSFiles) throws(ConfigError) -> TLSConfiguration {
        let certName = AppConfig.Setting.tlsCert.rawValue, keyName = AppConfig.Setting.tlsKey.rawValue
        let certBytes = try read(files.certificatePath, setting: certName)
        let chain = (try? NIOSSLCertificate.fromPEMBytes(certBytes)) ?? []
        guard !chain.isEmpty else {
            throw ConfigError("\(certName): \(files.certificatePath) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        let keyBytes = try read(files.keyPath, setting: keyName)
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw ConfigError("\(keyName): \(files.keyPath) holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            // BoringSSL refuses a private key that does not belong to the leaf certificate here
            // (SSL_CTX_use_PrivateKey, KEY_VALUES_MISMATCH), the moment to say so.
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigError("\(keyName): the key in \(files.keyPath) does not match the certificate in \(files.certificatePath)")
        }
        return configuration
    }

    static func read(_ path: String, setting: String) throws(ConfigError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError("\(setting): \(path) does not exist")
        }
        guard !isDirectory.boolValue else { throw ConfigError("\(setting): \(path) is a directory, not a PEM file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(setting): \(path) is not readable by this process")
        }
        return Array(data)
    }
}
