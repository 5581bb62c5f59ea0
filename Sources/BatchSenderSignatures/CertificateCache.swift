import Crypto
import Foundation
import X509
import _CryptoExtras

/// SNS signing keys by certificate URL. Anyone can post an SNS-shaped message naming any URL the
/// pattern allows, so downloads are bounded (issue #9, item 5):
/// - single flight: concurrent messages naming one URL share one download;
/// - at most `maxConcurrentFetches` different URLs download at once; more fail at once (SNS
///   retries a refused delivery) instead of queueing;
/// - the `capacity` most recently used keys are kept, each until its certificate expires and at
///   most a day;
/// - a failed download is remembered for `failureTTL`: messages naming that URL are refused
///   without another download until then.
actor CertificateCache {
    typealias Key = _RSA.Signing.PublicKey

    let capacity: Int
    let maxConcurrentFetches: Int
    let failureTTL: TimeInterval

    private var keys: [String: (key: Key, until: Date, lastUse: UInt64)] = [:]
    private var failures: [String: (reason: String, until: Date)] = [:]
    private var inFlight: [String: Task<(key: Key, until: Date), any Error>] = [:]
    private var tick: UInt64 = 0

    init(capacity: Int = 32, maxConcurrentFetches: Int = 4, failureTTL: TimeInterval = 60) {
        self.capacity = max(1, capacity)
        self.maxConcurrentFetches = max(1, maxConcurrentFetches)
        self.failureTTL = failureTTL
    }

    /// The key of the certificate at `url`, from the cache, a download in progress or a new one.
    func key(for url: String, now: Date, fetch: @escaping SNSVerifier.Fetch) async throws -> Key {
        tick += 1
        if let cached = keys[url], cached.until > now {
            keys[url]?.lastUse = tick
            return cached.key
        }
        if let failure = failures[url], failure.until > now {
            throw CertificateProblem("\(failure.reason) (not retried for up to \(Int(failureTTL)) s)")
        }
        if let running = inFlight[url] { return try await running.value.key }
        guard inFlight.count < maxConcurrentFetches else {
            throw CertificateProblem("too many certificate downloads in progress")
        }
        let download = Task { try await Self.load(url, now: now, fetch: fetch) }
        inFlight[url] = download
        defer { inFlight[url] = nil }
        do {
            let loaded = try await download.value
            store(loaded.key, until: loaded.until, for: url)
            return loaded.key
        } catch {
            remember(failure: "\(error)", for: url, now: now)
            throw error
        }
    }

    /// URLs whose keys are cached (for tests).
    var cachedURLs: Set<String> { Set(keys.keys) }

    private func store(_ key: Key, until: Date, for url: String) {
        tick += 1
        keys[url] = (key, until, tick)
        failures[url] = nil
        while keys.count > capacity, let oldest = keys.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            keys[oldest] = nil
        }
    }

    private func remember(failure reason: String, for url: String, now: Date) {
        failures = failures.filter { $0.value.until > now }
        // Bounded like the keys: a flood of distinct bad URLs only forgets older failures.
        if failures.count >= capacity * 8 { failures.removeAll() }
        failures[url] = (reason, now.addingTimeInterval(failureTTL))
    }

    /// Downloads and checks one certificate: valid now, with an RSA key.
    private static func load(_ url: String, now: Date, fetch: SNSVerifier.Fetch) async throws -> (key: Key, until: Date) {
        let pem = String(decoding: try await fetch(url), as: UTF8.self)
        let certificate = try Certificate(pemEncoded: pem)
        guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else {
            throw CertificateProblem("the certificate is not valid at this time")
        }
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
            throw CertificateProblem("the certificate's key is not RSA")
        }
        return (key, min(certificate.notValidAfter, now.addingTimeInterval(86_400)))
    }
}
