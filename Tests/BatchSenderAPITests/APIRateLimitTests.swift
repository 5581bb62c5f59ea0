import BatchSenderAPI
import BatchSenderApp
import BatchSenderCore
import BatchSenderEvents
import BatchSenderStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Time for the limiter, moved by the test, so the result never depends on how fast a loaded
/// machine answers.
private final class TestClock: Sendable {
    private let micros = Mutex<Int64>(0)
    func advance(seconds: Int64) { micros.withLock { $0 += seconds * 1_000_000 } }
    var clock: @Sendable () -> Int64 { { self.micros.withLock { $0 } } }
}

extension Reply {
    func field(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
    var rateLimitFields: [String?] { ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"].map(field) }
}

/// `BATCHSENDER_API_RATE_LIMIT` on the API (CONTRACT §11): per key, after authentication, with
/// `RateLimit-*` fields on every limited response and 429 + `Retry-After` over the limit.
@Suite struct APIRateLimitTests {
    /// 3 a minute, burst 3: one request every 20 s once the burst is spent.
    private static func limiter(_ time: TestClock) -> KeyedRateLimiter<APIKey.ID> {
        KeyedRateLimiter(APIRateLimit(count: 3, unit: .minute, burst: 3), clock: time.clock)
    }

    @Test func theFourthRequestOfABurstOfThreeIs429() async throws {
        let time = TestClock()
        try await Harness.run(rateLimiter: Self.limiter(time)) { h in
            var remaining: [String?] = []
            for _ in 0..<3 {
                let reply = try await h.get("/v1/batches")
                #expect(reply.status == .ok, "\(reply.text)")
                #expect(reply.field("RateLimit-Limit") == "3")
                remaining.append(reply.field("RateLimit-Remaining"))
            }
            #expect(remaining == ["2", "1", "0"])

            let refused = try await h.get("/v1/batches")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.isProblem, "\(refused.text)")
            #expect(refused["status"]?.intValue == 429)
            #expect(refused.field("Retry-After") == "20", "one request every 20 s")
            #expect(refused.rateLimitFields == ["3", "0", "60"], "full again after three intervals")

            time.advance(seconds: 20)
            let again = try await h.get("/v1/batches")
            #expect(again.status == .ok, "allowed once Retry-After has passed")
            #expect(again.rateLimitFields == ["3", "0", "60"])
        }
    }

    @Test func problemsAfterAuthenticationCarryTheFieldsToo() async throws {
        let time = TestClock()
        try await Harness.run(rateLimiter: Self.limiter(time)) { h in
            let missing = try await h.get("/v1/batches/bat_nope")
            #expect(missing.status == .notFound && missing.isProblem)
            #expect(missing.rateLimitFields == ["3", "2", "20"])
            let invalid = try await h.post("/v1/batches", ["name": "no config"])
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.field("RateLimit-Remaining") == "1", "a refused body still counts")
        }
    }

    @Test func anotherKeyHasItsOwnBucket() async throws {
        let time = TestClock()
        try await Harness.run(rateLimiter: Self.limiter(time)) { h in
            for _ in 0..<3 { _ = try await h.get("/v1/batches") }
            #expect(try await h.get("/v1/batches").status == .tooManyRequests)
            let other = try await h.otherWorkspaceKey()
            let reply = try await h.get("/v1/batches", key: other)
            #expect(reply.status == .ok)
            #expect(reply.field("RateLimit-Remaining") == "2")
            #expect(try await h.get("/v1/batches").status == .tooManyRequests, "and the first is still limited")
        }
    }

    @Test func healthReadyAndUnauthenticatedRequestsAreNotLimited() async throws {
        let time = TestClock()
        let limiter = Self.limiter(time)
        try await Harness.run(rateLimiter: limiter) { h in
            for _ in 0..<4 { _ = try await h.get("/v1/batches") }
            #expect(limiter.trackedKeys == 1)
            for path in ["/health", "/ready"] {
                let reply = try await h.get(path)
                #expect(reply.status == .ok, "\(path)")
                #expect(reply.rateLimitFields == [nil, nil, nil], "\(path)")
            }
            // Bad keys are answered 401 before the limiter and leave nothing in it.
            for n in 0..<50 {
                let reply = try await h.get("/v1/batches", key: "bs_not_a_key_\(n)")
                #expect(reply.status == .unauthorized)
                #expect(reply.rateLimitFields == [nil, nil, nil])
            }
            #expect(try await h.request(.get, "/v1/batches", key: "").status == .unauthorized)
            #expect(limiter.trackedKeys == 1)
        }
    }

    @Test func providerEventsAreNotLimited() async throws {
        let store = InMemoryStore()
        let admin = try #require(try await BatchSender.bootstrap(store))
        let events = EventServices(intake: EventIntake(sns: nil), publicURL: nil, confirmSubscription: { _ in })
        var services = try BatchSender.services(AppConfig(), store: store, masterKey: Data(repeating: 7, count: 32), events: events)
        services.rateLimiter = Self.limiter(TestClock())
        try await Application(router: buildAPIRouter(services)).test(.router) { client in
            let h = Harness(client: client, store: store, key: admin)
            let config = try await h.sendConfig(credentials: ["signingSecret": "whsec_c2VjcmV0c2VjcmV0c2VjcmV0"])
            for _ in 0..<3 { _ = try await h.get("/v1/batches") }
            #expect(try await h.get("/v1/batches").status == .tooManyRequests)
            // Even sent with the exhausted key, an event reaches its signature check: 401 for a
            // missing signature, never 429, and without the limiter's fields.
            for _ in 0..<5 {
                let reply = try await h.request(
                    .post, "/v1/events/webhook/\(config)", body: #"{"type":"delivered","messageId":"m"}"#)
                #expect(reply.status == .unauthorized, "\(reply.text)")
                #expect(reply.rateLimitFields == [nil, nil, nil])
            }
        }
    }

    @Test func zeroTurnsItOff() async throws {
        var config = AppConfig()
        config.apiRateLimit = try AppConfig.resolve(flags: [.apiRateLimit: "0"], environment: [:]).apiRateLimit
        #expect(config.apiRateLimit == nil)
        try await Harness.run(config: config) { h in
            for _ in 0..<250 {
                let reply = try await h.get("/v1/batches")
                #expect(reply.status == .ok)
                #expect(reply.rateLimitFields == [nil, nil, nil], "no limit, so no fields to report")
            }
        }
    }

    @Test func theDefaultIsOnAtAHundredASecondWithABurstOfTwoHundred() async throws {
        try await Harness.run { h in
            let reply = try await h.get("/v1/batches")
            #expect(reply.field("RateLimit-Limit") == "200")
            #expect(reply.field("RateLimit-Remaining") == "199")
            #expect(reply.field("RateLimit-Reset") == "1")
        }
    }
}

/// The setting itself: flag, environment, and one clear line for a bad value.
@Suite struct APIRateLimitSettingTests {
    @Test func defaultEnvironmentAndFlag() throws {
        #expect(try AppConfig.resolve(flags: [:], environment: [:]).apiRateLimit == .default)
        let env = try AppConfig.resolve(flags: [:], environment: ["BATCHSENDER_API_RATE_LIMIT": "600/m,burst=50"])
        #expect(env.apiRateLimit == APIRateLimit(count: 600, unit: .minute, burst: 50))
        let flagWins = try AppConfig.resolve(
            flags: [.apiRateLimit: "0"], environment: ["BATCHSENDER_API_RATE_LIMIT": "600/m"])
        #expect(flagWins.apiRateLimit == nil)
        #expect(AppConfig.Setting.apiRateLimit.flag == "api-rate-limit")
    }

    @Test(arguments: ["abc", "-1", "1.5/s", "10/h", "1000001/s", "99999999999999999999", "10/s,burst=0", "10/s;burst=3"])
    func badValuesAreOneClearLine(_ raw: String) throws {
        let error = try #require(throws: ConfigError.self) {
            try AppConfig.resolve(flags: [.apiRateLimit: raw], environment: [:])
        }
        #expect(error.description.hasPrefix("BATCHSENDER_API_RATE_LIMIT must be N/s or N/m"))
        #expect(error.description.hasSuffix("got \(raw)"))
        #expect(!error.description.contains("\n"))
    }
}
