import AsyncHTTPClient
import ServiceLifecycle

/// Owns the process's outbound `HTTPClient` and shuts it down last: services in a group stop in
/// reverse order, so listing it before the engine keeps it open until deliveries have finished.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
