import BatchSenderCore
import Foundation
import Testing

@Suite struct RecipientCountsTests {
    @Test func totalOpenAndSubscript() {
        var counts = RecipientCounts()
        for (i, status) in RecipientStatus.allCases.enumerated() { counts[status] = i + 1 }
        #expect(counts.total == 55)
        #expect(counts.open == 1 + 2 + 3)
        for (i, status) in RecipientStatus.allCases.enumerated() { #expect(counts[status] == i + 1) }
        #expect(counts.pending == 1 && counts.cancelled == 10)
    }

    @Test func moveKeepsTotal() {
        var counts = RecipientCounts()
        counts.pending = 5
        counts.move(3, from: .pending, to: .queued)
        #expect(counts.pending == 2)
        #expect(counts.queued == 3)
        #expect(counts.total == 5)
        #expect(counts.open == 5)
        counts.move(2, from: .queued, to: .cancelled)
        #expect(counts.open == 3)
        #expect(counts.total == 5)
    }

    @Test func encodesTotalAndEveryStatus() throws {
        var counts = RecipientCounts()
        counts.sent = 2
        counts.failed = 1
        let data = try JSONEncoder().encode(counts)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int])
        #expect(object["total"] == 3)
        #expect(object["sent"] == 2)
        #expect(object["failed"] == 1)
        #expect(Set(object.keys) == Set(["total"] + RecipientStatus.allCases.map(\.rawValue)))
        #expect(try JSONDecoder().decode(RecipientCounts.self, from: data) == counts)
    }

    @Test func decodingIgnoresTotalAndDefaultsMissing() throws {
        let decoded = try JSONDecoder().decode(RecipientCounts.self, from: Data(#"{"total": 99, "queued": 4}"#.utf8))
        #expect(decoded.queued == 4)
        #expect(decoded.total == 4, "total is derived, never trusted")
    }
}
