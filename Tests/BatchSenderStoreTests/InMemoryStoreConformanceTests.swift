import BatchSenderStore
import BatchSenderTesting
import Testing

/// The store conformance suite against `InMemoryStore`.
@Test("InMemoryStore conformance", arguments: StoreConformance.names)
func inMemoryConformance(_ name: String) async throws {
    try await StoreConformance.run(name) { InMemoryStore() }
}

@Test func conformanceSuiteHasUniqueNames() {
    #expect(Set(StoreConformance.names).count == StoreConformance.names.count)
    #expect(StoreConformance.names.count >= 30)
}
