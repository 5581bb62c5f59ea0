import BatchSenderCore
import Testing

@Suite struct AddressValidatorTests {
    let strict = AddressValidator()
    let open = AddressValidator(allowPrivateNetworks: true)

    func isValid(_ to: String, _ module: Module, _ validator: AddressValidator = AddressValidator()) -> Bool {
        if case .success = validator.validate(to, for: module) { true } else { false }
    }

    @Test(arguments: [
        "ann@example.com", "first.last+tag@sub.example.co.uk", "x@a.io", "o'brien@example.ie", "user_1@xn--bcher-kva.ch",
        "jörg@bücher.de", "a!#$%&'*+-/=?^_`{|}~@example.com",
    ])
    func validEmails(_ address: String) throws {
        #expect(isValid(address, .email))
        #expect(try strict.validate(address, for: .email).get() == address, "stored as given")
    }

    @Test(arguments: [
        "", "plain", "@example.com", "ann@", "ann@localhost", "ann@@example.com", "a b@example.com",
        ".ann@example.com", "ann.@example.com", "an..n@example.com", "ann@-example.com", "ann@example-.com",
        "ann@exa_mple.com", "ann@example..com", "Ann <ann@example.com>", "ann@example.com.",
        String(repeating: "a", count: 65) + "@example.com",
        "a@" + String(repeating: "b", count: 64) + ".com",
        String(repeating: "a", count: 64) + "@" + String(repeating: "b.", count: 95) + "com",
    ])
    func invalidEmails(_ address: String) {
        #expect(!isValid(address, .email))
    }

    @Test func phoneNumberEdges() {
        #expect(!isValid("+", .sms))
        #expect(!isValid("+1234567", .sms), "7 digits")
        #expect(isValid("+12345678", .sms), "8 digits")
        #expect(isValid("+123456789012345", .sms), "15 digits")
        #expect(!isValid("+1234567890123456", .sms), "16 digits")
        #expect(!isValid("+01234567890", .sms), "leading zero")
        #expect(!isValid("4915112345678", .sms), "no plus")
        #expect(!isValid("+49 151 1234567", .sms), "spaces")
        #expect(!isValid("+49151-1234567", .sms))
        #expect(!isValid("+４９１５１１２３４５６７", .sms), "non-ASCII digits")
        #expect(isValid("+4915112345678", .sms))
    }

    @Test(arguments: [
        "https://example.com/hook", "http://example.com:8080/x?y=1", "HTTPS://Example.COM", "https://8.8.8.8/",
        "https://[2606:4700::1111]/", "https://100.63.0.1/", "https://172.32.0.1/",
    ])
    func publicURLs(_ url: String) {
        #expect(isValid(url, .webhook))
    }

    @Test(arguments: [
        "http://localhost/", "http://api.localhost/", "http://127.0.0.1/", "http://127.1.2.3:9/", "http://10.0.0.1/",
        "http://172.16.5.4/", "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/", "http://[::1]/", "http://[::]/",
        "http://[fe80::1]/", "http://[fd00:ec2::254]/", "http://[fc00::1]/", "http://[::ffff:127.0.0.1]/",
        "http://[ff02::1]/", "http://metadata.google.internal/", "http://metadata/", "http://LOCALHOST./",
    ])
    func privateURLsAreBlockedUnlessAllowed(_ url: String) throws {
        let result = strict.validate(url, for: .webhook)
        guard case .failure(let error) = result else {
            Issue.record("\(url) accepted")
            return
        }
        #expect(error.message.hasPrefix("blocked: "))
        if ["169.254.", "fd00:ec2:", "fe80:", "metadata"].contains(where: url.contains) {
            #expect(!isValid(url, .webhook, open), "metadata and link-local stay blocked with private networks on")
        } else {
            #expect(isValid(url, .webhook, open), "allowed with private networks on")
        }
    }

    @Test(arguments: ["", "example.com", "ftp://example.com/", "https://", "mailto:a@example.com", "//example.com/x", "https:///path"])
    func invalidURLs(_ url: String) {
        #expect(!isValid(url, .webhook, open))
    }

    @Test func crmAcceptsAnyNonEmptyKey() {
        #expect(isValid("contact-42", .crm))
        #expect(isValid("ann@example.com", .crm))
        #expect(!isValid("", .crm))
        #expect(!isValid(" \n\t", .crm))
    }

    @Test func normalization() {
        #expect(AddressValidator.normalize("Ann@Example.COM", for: .email) == "ann@example.com")
        #expect(AddressValidator.normalize("+4915112345678", for: .sms) == "+4915112345678")
        #expect(AddressValidator.normalize("https://Example.com/A", for: .webhook) == "https://Example.com/A")
        #expect(AddressValidator.normalize("Contact-A", for: .crm) == "Contact-A")
        #expect(AddressValidator.normalize("Ann@Example.com", for: nil) == "ann@example.com", "suppression entry")
        #expect(AddressValidator.normalize("https://u@Host.example/", for: nil) == "https://u@Host.example/")
    }
}
