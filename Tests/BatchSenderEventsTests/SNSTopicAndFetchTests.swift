import BatchSenderCore
import BatchSenderEvents
import Foundation
import Synchronization
import Testing

@testable import BatchSenderSignatures

/// Issue #9 items 5 and 11: a message from an unexpected topic costs nothing, and certificate
/// downloads are shared, capped and not repeated after a failure. Fetches are counted on a fake
/// fetcher; nothing touches the network.
@Suite struct SNSTopicAndFetchTests {
    static let url = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"

    @Test(arguments: [
        ("sns_notification_v2", "arn:aws:sns:us-east-1:999999999999:ses-events"),
        ("sns_notification_v2", nil),
        ("sns_subscription_confirmation_v2", "arn:aws:sns:us-east-1:123456789012:other"),
        ("sns_subscription_confirmation_v2", nil),
    ] as [(String, String?)])
    func anotherOrNoTopicIsRefusedBeforeAnythingIsFetched(fixture: String, topic: String?) async throws {
        let directory = try SNSEventTests.fixtures()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fetched = SNSEventTests.Fetched()
        let intake = EventIntake(sns: try SNSEventTests.verifier(directory, fetched: fetched))
        let body = try SNSEventTests.fixture(directory, fixture)
        let settings: [String: JSONValue] = topic.map { ["snsTopicArn": .string($0)] } ?? [:]
        await #expect(throws: EventIntakeError.self) {
            try await intake.receive(SNSEventTests.request(body), provider: .ses, credentials: [:], settings: settings, now: Date())
        }
        #expect(fetched.list.isEmpty, "no certificate is downloaded for a message we would refuse anyway")
    }

    @Test(.timeLimit(.minutes(1))) func concurrentVerificationsOfOneURLFetchOnce() async throws {
        let directory = try SNSEventTests.fixtures()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pem = Array(try Data(contentsOf: directory.appendingPathComponent("cert.pem")))
        let gate = Gate(), fetches = Counter()
        let verifier = try SNSVerifier(pattern: SNSEventTests.defaultPattern) { _ in
            fetches.increment()
            await gate.wait()
            return pem
        }
        let intake = EventIntake(sns: verifier)
        let body = try SNSEventTests.fixture(directory, "sns_notification_v2")
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let result = try await intake.receive(
                        SNSEventTests.request(body), provider: .ses, credentials: [:], settings: SNSEventTests.settings, now: Date())
                    if case .events = result { return true } else { return false }
                }
            }
            // Hold the first download open while the others arrive; without single flight each
            // of them would start its own.
            await fetches.waitUntil(atLeast: 1)
            for _ in 0..<50 where fetches.value < 8 { try await Task.sleep(for: .milliseconds(2)) }
            gate.open()
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
        #expect(fetches.value == 1)
    }

    @Test func aFailedDownloadIsNotRepeatedUntilItExpires() async throws {
        let fetches = Counter()
        let cache = CertificateCache(failureTTL: 60)
        let failing: SNSVerifier.Fetch = { _ in
            fetches.increment()
            throw CertificateProblem("GET answered 500")
        }
        let now = Date()
        for _ in 0..<3 {
            await #expect(throws: CertificateProblem.self) { try await cache.key(for: Self.url, now: now, fetch: failing) }
        }
        #expect(fetches.value == 1)
        await #expect(throws: CertificateProblem.self) {
            try await cache.key(for: Self.url, now: now.addingTimeInterval(61), fetch: failing)
        }
        #expect(fetches.value == 2, "tried again once the failure expired")
    }

    @Test(.timeLimit(.minutes(1))) func differentURLsDownloadingAtOnceAreCapped() async throws {
        let gate = Gate(), fetches = Counter()
        let cache = CertificateCache(maxConcurrentFetches: 2)
        let blocked: SNSVerifier.Fetch = { _ in
            fetches.increment()
            await gate.wait()
            throw CertificateProblem("released")
        }
        let now = Date()
        async let first: Void = { _ = try? await cache.key(for: Self.url + "?1", now: now, fetch: blocked) }()
        async let second: Void = { _ = try? await cache.key(for: Self.url + "?2", now: now, fetch: blocked) }()
        await fetches.waitUntil(atLeast: 2)
        await #expect(throws: CertificateProblem("too many certificate downloads in progress")) {
            try await cache.key(for: Self.url + "?3", now: now, fetch: blocked)
        }
        gate.open()
        _ = await (first, second)
        #expect(fetches.value == 2)
    }

    @Test func onlyTheMostRecentlyUsedKeysAreKept() async throws {
        let directory = try SNSEventTests.fixtures()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pem = Array(try Data(contentsOf: directory.appendingPathComponent("cert.pem")))
        let cache = CertificateCache(capacity: 2)
        let fetch: SNSVerifier.Fetch = { _ in pem }
        let now = Date()
        _ = try await cache.key(for: "a", now: now, fetch: fetch)
        _ = try await cache.key(for: "b", now: now, fetch: fetch)
        _ = try await cache.key(for: "a", now: now, fetch: fetch)
        _ = try await cache.key(for: "c", now: now, fetch: fetch)
        #expect(await cache.cachedURLs == ["a", "c"])
    }
}

extension CertificateProblem: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.description == rhs.description }
}

/// Holds callers until opened.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A thread-safe count.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }

    /// Waits (yielding, bounded) until the count reaches `target`.
    func waitUntil(atLeast target: Int) async {
        for _ in 0..<5_000 where value < target { try? await Task.sleep(for: .milliseconds(1)) }
    }
}
