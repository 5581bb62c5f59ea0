import BatchSenderAPI
import BatchSenderStore
import Hummingbird
import HummingbirdTesting
import Testing

/// A database outage reaches API clients as what it is — 503 `application/problem+json` with
/// `Retry-After`, the driver's message kept out — not as a 500 "internal error".
@Test func aStoreOutageAnswers503ProblemJSON() async throws {
    let router = Router()
    router.add(middleware: ProblemMiddleware())
    router.get("outage") { _, _ -> String in throw StoreUnavailable("connection refused by 10.0.0.5:5432") }
    try await Application(router: router).test(.router) { client in
        try await client.execute(uri: "/outage", method: .get) { response in
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.headers[.retryAfter] == "5")
            let body = String(buffer: response.body)
            #expect(body.contains("\"detail\""))
            #expect(!body.contains("10.0.0.5"), "no internal message reaches the client")
        }
    }
}
