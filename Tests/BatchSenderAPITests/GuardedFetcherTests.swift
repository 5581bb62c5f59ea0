import AsyncHTTPClient
import BatchSenderCore
import BatchSenderProviders
import Testing

@testable import BatchSenderApp

/// SNS certificate downloads and subscription confirmations pass the same SSRF guard as
/// deliveries: a widened `BATCHSENDER_SNS_CERT_URL_PATTERN` cannot turn them into a way in.
@Suite struct GuardedFetcherTests {
    @Test(arguments: ["http://127.0.0.1:1/cert.pem", "http://169.254.169.254/latest/meta-data/", "http://012.0.0.1/x.pem"])
    func privateURLsAreRefusedWithoutConnecting(url: String) async throws {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let fetcher = GuardedFetcher(client: client, guardrail: DestinationGuard(policy: .strict))
        await #expect(throws: EventFetchError.self) { try await fetcher.get(url, limit: 1024) }
        do {
            _ = try await fetcher.get(url, limit: 1024)
        } catch let error as EventFetchError {
            #expect(error.description.contains("blocked: "), "\(error)")
        }
        try await client.shutdown()
    }
}
