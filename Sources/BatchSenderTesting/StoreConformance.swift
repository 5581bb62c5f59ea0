import BatchSenderStore

/// The one body of tests every `DataStore` driver runs (after River's `riverdrivertest`):
/// each case gets a fresh, empty store and fresh fixtures, and throws `ConformanceFailure`
/// when the store breaks a promise of the store protocols' doc comments.
///
/// A driver's test target conforms its store to `BatchStateOverwriting` (for the safety-net cases)
/// and runs them all with one parameterized test:
/// ```swift
/// @Test(arguments: StoreConformance.names)
/// func conformance(_ name: String) async throws {
///     try await StoreConformance.run(name) { InMemoryStore() }
/// }
/// ```
public enum StoreConformance {
    /// One named test of the suite.
    public struct Case: Sendable {
        public let name: String
        let body: @Sendable (any DataStore, Fixtures) async throws -> Void

        init(_ name: String, _ body: @escaping @Sendable (any DataStore, Fixtures) async throws -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Every case, grouped by protocol.
    public static let cases: [Case] =
        workspaceCases + userCases + sendConfigCases + batchCases + uploadCases + lifecycleCases + suppressionCases
        + idempotencyCases + healthCases + queueCases + safetyNetCases + eventCases + failureCases

    /// The names of all cases, for `@Test(arguments:)`.
    public static var names: [String] { cases.map(\.name) }

    /// Runs the case called `name` against a store made by `makeStore`.
    public static func run(_ name: String, makeStore: () async throws -> any DataStore) async throws {
        guard let test = cases.first(where: { $0.name == name }) else {
            throw ConformanceFailure(message: "no conformance case named \(name)", location: #fileID)
        }
        try await test.body(try await makeStore(), Fixtures())
    }

    static let healthCases: [Case] = [
        Case("checkReady succeeds on a ready store") { store, _ in
            try await store.checkReady()
        }
    ]
}
