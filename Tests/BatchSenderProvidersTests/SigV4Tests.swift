import BatchSenderTesting
import Foundation
import Testing

@testable import BatchSenderProviders

/// The SigV4 signer against AWS's published SigV4 test suite (awslabs/aws-c-auth
/// `tests/aws-signing-test-suite/v4/<name>/`, the same vectors as the original
/// `aws-sig-v4-test-suite`; `post-x-www-form-urlencoded` is the 2015 variant as transcribed in
/// aws/aws-sdk-js-v3 `packages/signature-v4/src/suite.fixture.ts`), and against botocore's
/// `SigV4Auth` for SES requests.
@Suite struct SigV4Tests {
    struct Vector: CustomTestStringConvertible, Sendable {
        var name, method, target: String
        var headers: [(String, String)]
        var body: String
        var sessionToken: String?
        var canonicalRequest, authorization: String
        var testDescription: String { name }
    }

    /// Credentials, region, service and time of the suite (its `context.json`).
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static func signer(token: String? = nil, region: String = "us-east-1", service: String = "service") -> SigV4Signer {
        SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: token),
            region: region, service: service)
    }

    static let vectors: [Vector] = [
        Vector(
            name: "get-vanilla", method: "GET", target: "/", headers: [], body: "",
            sessionToken: nil,
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "post-vanilla", method: "POST", target: "/", headers: [], body: "",
            sessionToken: nil,
            canonicalRequest: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(
            name: "get-vanilla-query-order-key-case", method: "GET", target: "/?Param2=value2&Param1=value1", headers: [], body: "",
            sessionToken: nil,
            canonicalRequest: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(
            name: "get-header-value-trim", method: "GET", target: "/", headers: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")], body: "",
            sessionToken: nil,
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(
            name: "get-vanilla-with-session-token", method: "GET", target: "/", headers: [], body: "",
            sessionToken: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
        Vector(
            name: "post-x-www-form-urlencoded", method: "POST", target: "/", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Param1=value1",
            sessionToken: nil,
            canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ]

    @Test(arguments: vectors)
    func matchesTheAWSTestSuite(_ vector: Vector) {
        let signed = Self.signer(token: vector.sessionToken).sign(
            method: vector.method, url: "https://example.amazonaws.com" + vector.target, headers: vector.headers,
            body: Array(vector.body.utf8), date: Self.date)
        #expect(signed.canonicalRequest == vector.canonicalRequest)
        #expect(signed.authorization == vector.authorization)
        #expect(signed.headers.first { $0.0 == "X-Amz-Date" }?.1 == "20150830T123600Z")
        #expect((signed.headers.first { $0.0 == "X-Amz-Security-Token" }?.1) == vector.sessionToken)
    }

    @Test func theHostHeaderKeepsANonDefaultPort() {
        #expect(SigV4Signer.hostHeader(of: "http://127.0.0.1:5055/v2/email/outbound-emails") == "127.0.0.1:5055")
        #expect(SigV4Signer.hostHeader(of: "https://email.eu-west-1.amazonaws.com/v2/x") == "email.eu-west-1.amazonaws.com")
        #expect(SigV4Signer.hostHeader(of: "https://email.eu-west-1.amazonaws.com:443/v2/x") == "email.eu-west-1.amazonaws.com")
    }

    /// botocore (PyPI, installed by `scripts/test`) signs the same SES v2 requests to the same
    /// `Authorization`: with and without a session token, a custom port, a query and UTF-8.
    @Test(arguments: [
        ("https://email.us-east-1.amazonaws.com/v2/email/outbound-emails", "us-east-1", "FQoGZXIvYXdzEXAMPLETOKEN"),
        ("http://127.0.0.1:5055/v2/email/outbound-emails", "eu-west-1", nil),
        ("https://email.ap-southeast-2.amazonaws.com/v2/email/identities?PageSize=10&NextToken=a%2Fb", "ap-southeast-2", nil),
    ])
    func matchesBotocore(url: String, region: String, token: String?) throws {
        let body = #"{"FromEmailAddress":"Zoë <news@example.com>","Destination":{"ToAddresses":["ann@example.com"]},"Content":{"Simple":{"Subject":{"Data":"Grüße","Charset":"UTF-8"},"Body":{"Text":{"Data":"Hallo","Charset":"UTF-8"}}}}}"#
        let signer = SigV4Tests.signer(token: token, region: region, service: "ses")
        let signed = signer.sign(
            method: "POST", url: url, headers: [("Content-Type", "application/json")], body: Array(body.utf8), date: Self.date)
        var request: [String: Any] = [
            "method": "POST", "url": url, "headers": ["Content-Type": "application/json"], "body": body, "region": region,
            "service": "ses", "accessKey": "AKIDEXAMPLE", "secretKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "amzDate": "20150830T123600Z",
        ]
        if let token { request["sessionToken"] = token }
        let input = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
        let result = try PythonScript.run([PythonTestServer.scripts.appendingPathComponent("sigv4_botocore.py").path], input: input)
        try #require(result.status == 0, "botocore is needed (scripts/test installs it): \(result.error)")
        #expect(signed.authorization == result.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
