import BatchSenderCore
import BatchSenderDelivery
import Foundation

/// One HTTP request to a provider's API, ready to send.
struct APIRequest: Sendable {
    var headers: [(String, String)]
    var body: [UInt8]
}

/// A provider whose API takes one message per call (SES, Twilio, Vonage, Telnyx): each
/// message is rendered to a request, sent, and its answer read into an outcome. Conformers
/// forward `DeliveryProvider`'s requirements to `sendEach` and `apiHost`.
protocol PerMessageAPI: DeliveryProvider {
    var http: ProviderHTTP { get }
    /// The URL every call goes to.
    var endpoint: String { get }
    var now: @Sendable () -> Date { get }
    /// The request for `message`, or the outcome when it can never be sent through this provider.
    func request(for message: OutboundMessage) -> Result<APIRequest, RequestRefusal>
    /// What the provider's answer means.
    func outcome(of answer: ProviderHTTP.Answer) -> DeliveryOutcome
}

/// Why a message cannot go through a provider at all (a permanent failure).
struct RequestRefusal: Error {
    var reason: String
}

extension PerMessageAPI {
    /// The API's host: the circuit breaker opens per provider endpoint.
    var apiHost: String { ProviderHTTP.host(of: endpoint) }

    /// One call per message, in order.
    func sendEach(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] {
        var outcomes: [DeliveryOutcome] = []
        for message in messages {
            switch request(for: message) {
            case .failure(let refusal):
                outcomes.append(.reject(reason: refusal.reason))
            case .success(let request):
                switch await http.send(.POST, endpoint, headers: request.headers, body: request.body) {
                case .success(let answer): outcomes.append(outcome(of: answer))
                case .failure(let failure): outcomes.append(failure.outcome)
                }
            }
        }
        return outcomes
    }
}
