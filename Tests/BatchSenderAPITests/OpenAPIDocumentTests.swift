import BatchSenderAPI
import BatchSenderApp
import BatchSenderCore
import BatchSenderStore
import Foundation
import Hummingbird
import Testing

/// `/openapi.json` and `/docs` (CONTRACT §12): the document describes exactly the routes the router
/// has, validates, and the page shows every operation it lists.
@Suite struct OpenAPIDocumentTests {
    /// `METHOD /path` of every route of the full API router (with `/metrics`, which is optional).
    static func routerRoutes() throws -> Set<String> {
        let store = InMemoryStore()
        let services = try BatchSender.services(
            AppConfig(), store: store, masterKey: Data(repeating: 7, count: 32),
            metrics: MetricsEndpoint(token: nil, render: { "" }))
        return Set(buildAPIRouter(services).routes.map { "\($0.method) \($0.path)" })
    }

    /// `METHOD /path` of every operation of a served document.
    static func documentedRoutes(_ document: JSONValue) -> Set<String> {
        var routes: Set<String> = []
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for method in (item.objectValue ?? [:]).keys { routes.insert("\(method.uppercased()) \(path)") }
        }
        return routes
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let routes = try Self.routerRoutes()
        try await Harness.run { h in
            let reply = try await h.request(.get, "/openapi.json", key: "")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "application/json")
            let documented = Self.documentedRoutes(reply.json)
            #expect(routes.subtracting(documented).sorted() == [], "routes missing from the OpenAPI document")
            #expect(documented.subtracting(routes).sorted() == [], "documented operations the router does not have")
            #expect(routes.count >= 30)
        }
    }

    @Test func documentIsOpenAPI31WithBearerAuthAndProblemResponses() async throws {
        try await Harness.run { h in
            let document = try await h.request(.get, "/openapi.json", key: "").json
            #expect(document["openapi"] == "3.1.0")
            #expect(document["components"]?["securitySchemes"]?["apiKey"]?["scheme"] == "bearer")
            let batches = document["paths"]?["/v1/batches"]
            let create = try #require(batches?["post"])
            #expect(create["security"] == [["apiKey": []]])
            #expect(create["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"] == "#/components/schemas/BatchCreate")
            #expect(create["responses"]?["201"]?["content"]?["application/json"]?["schema"]?["$ref"] == "#/components/schemas/BatchCreated")
            for status in ["400", "401", "403", "404", "409", "413", "415", "422", "429", "503"] {
                #expect(create["responses"]?[status]?["$ref"]?.stringValue?.hasPrefix("#/components/responses/") == true, "\(status)")
            }
            let parameters = create["parameters"]?.arrayValue ?? []
            #expect(parameters.contains { $0["name"] == "Idempotency-Key" && $0["in"] == "header" })
            let list = try #require(batches?["get"])
            let names = Set((list["parameters"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            #expect(names.isSuperset(of: ["limit", "cursor", "status", "module"]))
            let upload = document["paths"]?["/v1/batches/{id}/recipients"]?["post"]?["requestBody"]?["content"]
            #expect(upload?["text/csv"] != nil && upload?["application/json"] != nil)
            let events = document["paths"]?["/v1/events/{provider}/{sendConfigId}"]?["post"]
            #expect(events?["security"] == [])
            let problem = document["components"]?["responses"]?["NotFound"]?["content"]?["application/problem+json"]
            #expect(problem?["schema"]?["$ref"] == "#/components/schemas/Problem")
            let keyFields = document["components"]?["schemas"]?["APIKey"]?["properties"]?["scopes"]?["items"]?["enum"]
            #expect(keyFields == ["admin", "send", "read"])
        }
    }

    /// The scope each operation documents is the least one `RoutePermissions` lets through.
    @Test func documentedScopesAreThoseOfTheRoutePermissionTable() throws {
        for operation in APIReference.operations {
            let method = try #require(HTTPRequest.Method(operation.method))
            let permission = RoutePermissions.required(method, operation.path)
            guard case .apiKey(let scope) = operation.access else {
                #expect(permission == nil, "\(operation.route) is documented without an API key")
                continue
            }
            let granting = RoutePermissions.scopes(granting: try #require(permission, "\(operation.route)"))
            let least = granting.min { $0.permissions.count < $1.permissions.count }
            #expect(least?.rawValue == scope.rawValue, "\(operation.route)")
        }
    }

    @Test(.enabled(if: PythonOpenAPIValidator.isInstalled, PythonOpenAPIValidator.skipMessage))
    func servedDocumentValidatesAndItsExamplesMatchTheirSchemas() async throws {
        try await Harness.run { h in
            let reply = try await h.request(.get, "/openapi.json", key: "")
            let result = try PythonOpenAPIValidator.validate(reply.text)
            #expect(result == "ok")
        }
    }

    @Test func docsPageShowsEveryOperationWithoutExternalAssets() async throws {
        try await Harness.run { h in
            let document = try await h.request(.get, "/openapi.json", key: "").json
            let page = try await h.request(.get, "/docs", key: "")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            var operations = 0
            for (path, item) in document["paths"]?.objectValue ?? [:] {
                for (method, operation) in item.objectValue ?? [:] {
                    let id = try #require(operation["operationId"]?.stringValue)
                    #expect(page.text.contains("id=\"op-\(id)\""), "no section for \(id)")
                    #expect(page.text.contains(">\(method.uppercased())</span><code class=\"path\">\(path)</code>"), "\(method) \(path)")
                    operations += 1
                }
            }
            #expect(operations >= 30)
            for schema in (document["components"]?["schemas"]?.objectValue ?? [:]).keys {
                #expect(page.text.contains("id=\"schema-\(schema)\""), "no schema \(schema)")
            }
            // Nothing is fetched from elsewhere: no scripts, stylesheets, fonts or images by URL.
            for needle in ["<script", "<link", "@import", "url(", "src=", "href=\"http", "href=\"//"] {
                #expect(!page.text.contains(needle), "\(needle)")
            }
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await Harness.run { h in
            let put = try await h.request(.put, "/v1/batches", body: "{}")
            #expect(put.status == .methodNotAllowed)
            #expect(put.isProblem)
            #expect(put.headers[.allow] == "GET, POST")
            let patch = try await h.request(.patch, "/v1/batches/bat_x/send", body: "{}")
            #expect(patch.status == .methodNotAllowed)
            #expect(patch.headers[.allow] == "POST")
            let health = try await h.request(.delete, "/health", key: "")
            #expect(health.status == .methodNotAllowed)
            #expect(health.headers[.allow] == "GET")
            let unknown = try await h.request(.put, "/v1/nothing-here", body: "{}")
            #expect(unknown.status == .notFound)
            #expect(unknown.isProblem)
        }
    }
}

/// Runs scripts/test-servers/validate_openapi.py (openapi-spec-validator, then every example
/// against its schema), when the Python packages are installed; scripts/test installs them.
enum PythonOpenAPIValidator {
    static let skipMessage: Comment =
        "openapi-spec-validator is not installed; run: python3 -m pip install -r scripts/test-servers/requirements.txt"

    static let isInstalled: Bool = (try? run(["-c", "import openapi_spec_validator, jsonschema"]).status) == 0

    static var script: String {
        // Tests/BatchSenderAPITests/<this file> → the repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/test-servers/validate_openapi.py").path
    }

    /// "ok", or the validator's complaints.
    static func validate(_ document: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
        try document.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try run([script, file.path]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
