import BatchSenderCore
import Hummingbird

/// A JSON answer: status and body, kept as bytes so idempotent replays return the same response.
public struct JSONResponse: Sendable {
    public var status: HTTPResponse.Status
    public var body: ByteBuffer

    public init(_ status: HTTPResponse.Status = .ok, _ value: JSONValue) {
        self.status = status
        self.body = ByteBuffer(string: value.jsonText())
    }

    public init(status: HTTPResponse.Status, body: ByteBuffer) {
        self.status = status
        self.body = body
    }

    public var response: Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
