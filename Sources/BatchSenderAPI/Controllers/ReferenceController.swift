import Hummingbird

/// `GET /openapi.json` and `GET /docs` (CONTRACT §12): the API's description, rendered once and
/// served from memory, with no API key.
struct ReferenceController {
    static let document = ByteBuffer(string: OpenAPIDocument.text)
    static let page = ByteBuffer(string: ReferencePage.html)

    func addRoutes(to router: Router<APIContext>) {
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: Self.document))
        }
        router.get("docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: Self.page))
        }
    }
}
