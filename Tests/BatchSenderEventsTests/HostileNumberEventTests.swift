import BatchSenderCore
import BatchSenderEvents
import BatchSenderSignatures
import Foundation
import Testing

/// A JSON number no `Int` can hold, in an unsigned or signed Vonage receipt, is refused or read —
/// never a trap (it used to kill the server before the signature was even checked).
@Suite struct HostileNumberEventTests {
    let intake = EventIntake(sns: nil)
    let now = Date()

    func post(_ body: String) -> EventRequest {
        EventRequest(
            method: "POST", url: "https://bs.example.com/v1/events/vonage/sc_1", query: [],
            headers: ["content-type": "application/json"], body: Array(body.utf8))
    }

    @Test func anUnsignedReceiptWithAHugeNumberIsRefused() async {
        await #expect(throws: EventIntakeError.self) {
            try await intake.receive(
                post(#"{"messageId":"x","n":1e300}"#), provider: .vonage, credentials: ["signatureSecret": "s1gn"],
                settings: [:], now: now)
        }
    }

    @Test func numbersAreSignedInTheirTextForm() async throws {
        let stamp = String(Int(now.timeIntervalSince1970))
        var params = [("messageId", "0A01"), ("status", "delivered"), ("timestamp", stamp), ("n", "1e+300"), ("price", "0.5")]
        let sig = VonageSignature.sign(params, secret: "s1gn", method: .sha256)
        params.append(("sig", sig))
        let body = #"{"messageId":"0A01","status":"delivered","timestamp":"\#(stamp)","n":1e300,"price":0.5,"sig":"\#(sig)"}"#
        let result = try await intake.receive(
            post(body), provider: .vonage, credentials: ["signatureSecret": "s1gn"], settings: ["signatureMethod": "sha256"],
            now: now)
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        #expect(events.first?.kind == .delivered)
    }
}
