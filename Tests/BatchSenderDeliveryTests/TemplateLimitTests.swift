import BatchSenderCore
import BatchSenderDelivery
import Testing

/// Templates are bounded before swift-mustache parses them (it recursed once per section until
/// the stack ran out) and while they render (nested sections over arrays cost `n^depth`).
@Suite struct TemplateLimitTests {
    static let deepNest = String(repeating: "{{#a}}", count: 10_000) + String(repeating: "{{/a}}", count: 10_000)

    @Test func aDeepNestIsRefusedBeforeParsing() {
        #expect(TemplateCheck.problem(in: Self.deepNest)?.contains("deeper than 16") == true)
        #expect(throws: TemplateError.self) {
            try PayloadTemplates(module: .email, payload: ["from": "a@b.co", "subject": .string(Self.deepNest), "text": "x"])
        }
        let issues = PayloadValidator(addresses: AddressValidator()).issues(
            in: ["from": "a@b.co", "subject": .string(Self.deepNest), "text": "x"], for: .email)
        #expect(issues.map(\.field) == ["payload.subject"])
    }

    @Test(arguments: [
        ("{{=<% %>=}}<%x%>", "delimiters"), ("{{>header}}", "partial"), ("{{<base}}{{/base}}", "inheritance"),
        ("{{$block}}x{{/block}}", "inheritance"), ("{{% CONTENT_TYPE: HTML}}", "pragma"),
        ("{{" + String(repeating: "a.", count: 200) + "b}}", "tag longer"),
        (String(repeating: "x", count: 300_000) + "{{a}}", "longer than"),
    ])
    func unsupportedOrOversizedTemplatesAreRefused(text: String, mentions: String) {
        let problem = TemplateCheck.problem(in: text)
        #expect(problem?.contains(mentions) == true, "\(problem ?? "accepted")")
    }

    @Test func sixteenLevelsAreFine() {
        let nest = String(repeating: "{{#a}}", count: 16) + "x" + String(repeating: "{{/a}}", count: 16)
        #expect(TemplateCheck.problem(in: nest) == nil)
        #expect(TemplateCheck.problem(in: String(repeating: "x", count: 1_000_000)) == nil, "a literal is not a template")
        #expect(TemplateCheck.problem(in: "{{! a comment {{#not}} counted }}{{{raw}}}{{&raw}}") == nil)
    }

    static func sms(_ message: String) throws -> PayloadTemplates {
        try PayloadTemplates(module: .sms, payload: ["from": "ACME", "message": .string(message)])
    }

    @Test func nestedSectionsOverArraysRunOutOfBudget() throws {
        let templates = try Self.sms("{{#a}}{{#a}}{{#a}}{{#a}}{{x}}{{/a}}{{/a}}{{/a}}{{/a}}")
        let items = JSONValue.array((0..<70).map { .int($0) })
        #expect(throws: TemplateLimitError.self) {
            try templates.render(to: "+14155550100", variables: ["a": items, "x": "y"])
        }
    }

    @Test func outputIsBounded() throws {
        let templates = try Self.sms("{{#a}}{{big}}{{/a}}")
        let big = JSONValue.string(String(repeating: "z", count: 100_000))
        let items = JSONValue.array((0..<100).map { .int($0) })
        #expect(throws: TemplateLimitError.self) {
            try templates.render(to: "+14155550100", variables: ["a": items, "big": big])
        }
        let message = templates.message(to: "+14155550100", variables: ["a": items, "big": big])
        guard case .sms(let sms) = message else { Issue.record("not an SMS"); return }
        #expect(sms.message.utf8.count <= TemplateLimits.standard.maxOutputBytes)
    }

    @Test func aLoopIsChargedItsOwnBodyNotTheLargestSection() throws {
        // A 100 KiB conditional block beside a 200-item loop: 200 × 100 KiB would pass the budget,
        // 200 × the loop's own body does not.
        let block = String(repeating: "b", count: 100_000)
        let templates = try Self.sms("{{#vip}}\(block){{/vip}}{{#order.items}}<{{name}}>{{/order.items}}{{#reversed(list)}}{{.}}{{/reversed(list)}}")
        let items = JSONValue.array((0..<200).map { .object(["name": .string("n\($0)")]) })
        let message = try templates.render(
            to: "+14155550100", variables: ["vip": true, "order": ["items": items], "list": [1, 2, 3]])
        guard case .sms(let sms) = message else { Issue.record("not an SMS"); return }
        #expect(sms.message.hasPrefix(block + "<n0><n1>"))
        #expect(sms.message.hasSuffix("<n199>321"))
        let big = try Self.sms("{{#items}}\(block){{/items}}")
        #expect(throws: TemplateLimitError.self) { try big.render(to: "+14155550100", variables: ["items": items]) }
    }

    @Test func ordinaryListsObjectsAndTransformsStillRender() throws {
        let templates = try Self.sms(
            "{{#items}}{{name}}{{^last()}}, {{/last()}}{{/items}} ({{count(items)}}) {{uppercased(who)}} {{user.first}} {{tags}}")
        let message = try templates.render(to: "+14155550100", variables: [
            "items": [["name": "a"], ["name": "b"], ["name": "c"]], "who": "ann", "user": ["first": "Ann"],
            "tags": ["x", 1],
        ])
        #expect(message == .sms(SMSMessage(to: "+14155550100", from: "ACME", message: "a, b, c (3) ANN Ann [\"x\",1]")))
    }
}
