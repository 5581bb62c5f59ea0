import BatchSenderAPI
import BatchSenderApp
import BatchSenderCore
import BatchSenderEvents
import BatchSenderStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /v1/events/vonage/{id}` with `{"messageId":"x","n":1e300}` needed no key and killed the
/// server (an unchecked `Int(1e300)` before the signature check). Now it is refused and the
/// server answers the next request.
@Suite struct HostileEventTests {
    @Test func aHugeNumberInAnUnsignedVonageReceiptIs401() async throws {
        let store = InMemoryStore()
        let admin = try #require(try await BatchSender.bootstrap(store))
        let events = EventServices(intake: EventIntake(sns: nil), publicURL: nil, confirmSubscription: { _ in })
        let services = try BatchSender.services(AppConfig(), store: store, masterKey: Data(repeating: 7, count: 32), events: events)
        try await Application(router: buildAPIRouter(services)).test(.router) { client in
            let h = Harness(client: client, store: store, key: admin)
            let config = try await h.sendConfig(
                module: "sms", provider: "vonage",
                credentials: ["apiKey": "abcd1234", "apiSecret": "s3cr3t", "signatureSecret": "s1gn"])
            let reply = try await h.request(.post, "/v1/events/vonage/\(config)", body: #"{"messageId":"x","n":1e300}"#, key: "")
            #expect(reply.status == .unauthorized, "\(reply.text)")
            #expect(reply.isProblem)
            #expect(try await h.get("/v1/batches").status == .ok, "the server still answers")
        }
    }
}
