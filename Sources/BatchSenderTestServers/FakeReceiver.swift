import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A request the fake receiver got.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    /// The raw query string, without `?` (empty when none).
    public var query: String
    /// Lowercased names; repeated headers joined with ", ".
    public var headers: [String: String]
    public var body: [UInt8]
    /// When the request arrived (wall clock: tests compare requests to each other).
    public var receivedAt: Date

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// What the fake receiver answers.
public struct ScriptedResponse: Sendable {
    public var status: Int = 200
    public var body: String = ""
    public var retryAfter: String?
    public var location: String?
    /// Hold the answer until the receiver stops (to make the client time out), at most
    /// `stallLimit`.
    public var stall = false
    public var stallLimit: Duration = .seconds(10)
    /// Answer only after this long (a slow receiver, to keep requests open at once).
    public var delay: Duration?
    public var contentType = "text/plain"
    /// More response headers.
    public var headers: [String: String] = [:]

    public init(
        status: Int = 200, body: String = "", retryAfter: String? = nil, location: String? = nil, stall: Bool = false,
        contentType: String = "text/plain", headers: [String: String] = [:], delay: Duration? = nil
    ) {
        self.delay = delay
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
        self.location = location
        self.stall = stall
        self.contentType = contentType
        self.headers = headers
    }

    /// A JSON answer.
    public static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> ScriptedResponse {
        ScriptedResponse(status: status, body: body, contentType: "application/json", headers: headers)
    }
}

/// A test HTTP receiver (for webhooks and fake provider APIs) on 127.0.0.1 and an ephemeral port: records every request and answers as
/// the test's script says (the script gets the request and its 0-based index).
public final class FakeReceiver: Sendable {
    public typealias Script = @Sendable (RecordedRequest, Int) -> ScriptedResponse

    /// What the server's handler shares with the test.
    private final class State: Sendable {
        let recorded = Mutex<[RecordedRequest]>([])
        let released = Mutex(false)
        /// Requests being answered right now, and the most there ever were at once.
        let open = Mutex((now: 0, most: 0))
    }

    public let port: Int
    private let state: State
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    private init(port: Int, state: State, group: ServiceGroup, task: Task<Void, Never>) {
        self.port = port
        self.state = state
        self.group = group
        self.task = task
    }

    public var url: String { "http://127.0.0.1:\(port)" }
    public var requests: [RecordedRequest] { state.recorded.withLock { $0 } }
    /// The most requests that were open (arrived and not yet answered) at one time.
    public var mostOpenAtOnce: Int { state.open.withLock { $0.most } }

    /// Starts a receiver; call `stop()` when done (also on failure paths: use `withReceiver`).
    public static func start(_ script: @escaping Script = { _, _ in ScriptedResponse() }) async throws -> FakeReceiver {
        let state = State()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let receivedAt = Date()
            state.open.withLock { open in
                open.now += 1
                open.most = max(open.most, open.now)
            }
            defer { state.open.withLock { $0.now -= 1 } }
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            // HTTP/1 `Host` arrives as the request's authority.
            if let authority = request.head.authority { headers["host"] = authority }
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
            }
            let record = RecordedRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers,
                body: Array(body.readableBytesView), receivedAt: receivedAt)
            let index = state.recorded.withLock { list in
                list.append(record)
                return list.count - 1
            }
            let answer = script(record, index)
            if let delay = answer.delay { try? await Task.sleep(for: delay) }
            if answer.stall {
                // Bounded, so a test that forgets to stop the receiver cannot hang forever.
                let end = ContinuousClock.now + answer.stallLimit
                while !state.released.withLock({ $0 }), ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
            }
            var fields = HTTPFields()
            if let value = answer.retryAfter { fields[.retryAfter] = value }
            if let value = answer.location { fields[.location] = value }
            fields[.contentType] = answer.contentType
            for (name, value) in answer.headers {
                if let field = HTTPField.Name(name) { fields[field] = value }
            }
            return Response(
                status: .init(code: answer.status), headers: fields,
                body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        var logger = Logger(label: "fake-receiver")
        logger.logLevel = .error
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { portSink.yield(port) }
            },
            logger: logger)
        // In a service group of its own, so `stop()` can shut it down gracefully (no signals).
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            try? await group.run()
            portSink.finish()
        }
        for await port in ports {
            return FakeReceiver(port: port, state: state, group: group, task: task)
        }
        task.cancel()
        throw FakeReceiverError.didNotStart
    }

    /// Releases stalled answers and shuts the server down.
    public func stop() async {
        state.released.withLock { $0 = true }
        await group.triggerGracefulShutdown()
        await task.value
    }
}

public enum FakeReceiverError: Error {
    case didNotStart
}
