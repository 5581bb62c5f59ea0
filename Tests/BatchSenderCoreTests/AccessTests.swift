import BatchSenderCore
import Testing

/// Scopes, roles and the permissions they grant (CONTRACT §10), and the password rules.
@Suite struct AccessTests {
    @Test func scopesGrantWhatTheContractSays() {
        #expect(APIScope.admin.permissions == Set(Permission.allCases))
        #expect(APIScope.send.permissions == [.read, .send])
        #expect(APIScope.read.permissions == [.read])
        #expect(APIScope.permissions(of: [.read, .send]) == [.read, .send])
        #expect(APIScope.permissions(of: []) == [])
        #expect(APIScope.defaultScopes == [.admin])
    }

    /// The mapping dashboard sessions will use: admin is an admin key, member a send key that may
    /// also manage send configs, viewer a read key.
    @Test func rolesMapToScopes() {
        #expect(UserRole.admin.permissions == APIScope.admin.permissions)
        #expect(UserRole.member.permissions == APIScope.send.permissions.union([.configure]))
        #expect(!UserRole.member.permissions.contains(.administer))
        #expect(UserRole.viewer.permissions == APIScope.read.permissions)
    }

    @Test func parsingScopes() {
        #expect(APIScope.parse(["read", "send"]) == .success([.read, .send]))
        #expect(APIScope.parse(["admin"]) == .success([.admin]))
        guard case .failure(let empty) = APIScope.parse([]) else { Issue.record("empty accepted"); return }
        #expect(empty.message.contains("at least one"))
        guard case .failure(let unknown) = APIScope.parse(["read", "write"]) else { Issue.record("unknown accepted"); return }
        #expect(unknown.message.contains("\"write\""))
        guard case .failure(let twice) = APIScope.parse(["read", "read"]) else { Issue.record("duplicate accepted"); return }
        #expect(twice.message.contains("twice"))
        guard case .failure = APIScope.parse(["Admin"]) else { Issue.record("scope names are case-sensitive"); return }
    }

    @Test func storedScopesRoundTripAndRejectCorruption() {
        #expect(APIScope.storedText([.send, .read]) == #"["send","read"]"#)
        #expect(APIScope.fromStoredText(#"["send","read"]"#) == [.send, .read])
        // PostgreSQL's jsonb prints a space after commas.
        #expect(APIScope.fromStoredText(#"["admin", "read"]"#) == [.admin, .read])
        for corrupt in ["", "[]", "admin", #"["admin",1]"#, #"["nope"]"#, #"{"a":1}"#, #"["read","read"]"#] {
            #expect(APIScope.fromStoredText(corrupt) == nil, "\(corrupt)")
        }
    }

    @Test func passwordPolicy() {
        #expect(PasswordPolicy.problem(with: "") == "must not be empty")
        #expect(PasswordPolicy.problem(with: "1234567")?.contains("at least 8") == true)
        #expect(PasswordPolicy.problem(with: "12345678") == nil)
        // Characters, not bytes, count towards the minimum; bytes towards bcrypt's 72.
        #expect(PasswordPolicy.problem(with: "ünïcödé!") == nil)
        #expect(PasswordPolicy.problem(with: String(repeating: "a", count: 72)) == nil)
        #expect(PasswordPolicy.problem(with: String(repeating: "a", count: 73))?.contains("72 bytes") == true)
        #expect(PasswordPolicy.problem(with: String(repeating: "é", count: 37))?.contains("72 bytes") == true, "74 bytes")
        #expect(PasswordPolicy.problem(with: "abcd\u{0}efgh")?.contains("NUL") == true)
    }

    @Test func emailsCompareCaseInsensitively() {
        #expect(User.normalize(email: "Ann.Smith@Example.COM") == "ann.smith@example.com")
        let user = User(
            id: .generate(), workspaceID: .generate(), email: "a@b.co", role: .viewer, passwordHash: "$2b$12$secret",
            createdAt: .init(), updatedAt: .init())
        #expect(!user.description.contains("secret"), "a user printed never shows its hash")
    }
}
