import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import BatchSenderWorker
import Testing

@testable import BatchSenderProviders

/// LESSONS: limits and chunk sizes are per provider, and tested. The old system looked them up by
/// module, so every chunk fell back to 100 and SES ran 100× over its 14/s quota.
@Suite struct ProviderLimitsTests {
    @Test func eachProviderTakesItsOwnChunkSize() async throws {
        try await withClient { client in
            let registry = ProviderRegistry(recordSandbox: { _ in }, client: client)
            let expected: [(Provider, Int)] = [
                (.resend, 100), (.ses, 1), (.smtp, 10), (.twilio, 1), (.vonage, 1), (.telnyx, 1), (.http, 1), (.sandbox, 50),
            ]
            for (provider, size) in expected {
                var credentials = ["apiKey": "k", "accessKeyId": "a", "secretAccessKey": "s", "accountSid": "AC1", "authToken": "t",
                                   "apiSecret": "s"]
                if provider == .smtp { credentials = [:] }
                let configuration = Provide.configuration(
                    provider, credentials: credentials, settings: provider == .smtp ? ["host": "smtp.example.com"] : [:])
                let built = try registry.makeProvider(configuration)
                #expect(built.maxBatchSize == size, "\(provider)")
                await built.shutdown()
            }
        }
    }

    @Test func defaultRatesFollowTheProvidersDocumentedLimits() {
        #expect(ProviderDefaults.rateLimit(.resend).perSecond == 2, "Resend: 2 requests/s per team")
        #expect(ProviderDefaults.rateLimit(.ses).perSecond == 14, "SES: a new production account's 14 messages/s")
        #expect(ProviderDefaults.rateLimit(.vonage).perSecond == 30, "Vonage: 30 API requests/s per key")
        #expect(ProviderDefaults.rateLimit(.hubspot).perSecond == 19, "HubSpot: 190 requests per 10 s")
        for provider in Provider.allCases {
            #expect(ProviderDefaults.rateLimit(provider).perSecond > 0)
            #expect(ProviderDefaults.maxConcurrency(provider) >= 1)
        }
    }
}
