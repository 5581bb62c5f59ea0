import Hummingbird

/// What `/metrics` serves: Prometheus text from the composition root, optionally behind a
/// bearer token (CONTRACT §8).
public struct MetricsEndpoint: Sendable {
    public var token: String?
    public var render: @Sendable () async throws -> String

    public init(token: String?, render: @escaping @Sendable () async throws -> String) {
        self.token = token
        self.render = render
    }
}

/// `GET /metrics`.
struct MetricsController {
    let endpoint: MetricsEndpoint

    func addRoutes(to router: Router<APIContext>) {
        router.get("metrics") { request, _ in
            if let token = endpoint.token {
                let expected = "Bearer \(token)"
                guard let given = request.headers[.authorization], Self.constantTimeEquals(given, expected) else {
                    throw APIError.unauthorized("/metrics requires the metrics bearer token")
                }
            }
            let text = try await endpoint.render()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// Compares secrets without leaking where they differ through timing.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }
}
