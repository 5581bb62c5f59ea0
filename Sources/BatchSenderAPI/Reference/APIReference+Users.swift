import BatchSenderCore

/// `/v1/users` (CONTRACT §10; `UsersController`): dashboard users, for admin keys.
extension APIReference {
    static let userID = APIParameter.path("id", "The user's id.", example: "usr_01JD4MB2C3D4E5F6G7H8J9K0M1")

    static var userOperations: [APIOperation] {
        let tag = "Users"
        return [
            APIOperation(
                "POST", "/v1/users", id: "createUser", tag: tag, summary: "Create a dashboard user",
                description: "The password is hashed with bcrypt at once and never returned or logged. Emails are "
                    + "unique across workspaces, compared case-insensitively (409 when taken).",
                access: .apiKey(.admin), body: .json("UserCreate"),
                responses: [.json(201, "The user.", "User")], problems: [409, 422], idempotent: true),
            APIOperation(
                "GET", "/v1/users", id: "listUsers", tag: tag, summary: "List dashboard users",
                access: .apiKey(.admin), parameters: APIParameter.paging,
                responses: [.json(200, "A page of users.", "UserList")]),
            APIOperation(
                "GET", "/v1/users/{id}", id: "getUser", tag: tag, summary: "Get a dashboard user",
                access: .apiKey(.admin), parameters: [userID], responses: [.json(200, "The user.", "User")]),
            APIOperation(
                "PATCH", "/v1/users/{id}", id: "updateUser", tag: tag, summary: "Change a user's role or password",
                description: "Only `role` and `password` can change; at least one must be given.",
                access: .apiKey(.admin), parameters: [userID], body: .json("UserUpdate"),
                responses: [.json(200, "The user.", "User")], problems: [422]),
            APIOperation(
                "DELETE", "/v1/users/{id}", id: "deleteUser", tag: tag, summary: "Delete a dashboard user",
                access: .apiKey(.admin), parameters: [userID], responses: [.noContent("Deleted.")]),
        ]
    }

    static var userSchemas: [(name: String, schema: APISchema)] {
        let password = APISchema(.string(format: "password", values: nil, minLength: PasswordPolicy.minimumCharacters, maxLength: nil))
            .describe("At least \(PasswordPolicy.minimumCharacters) characters and at most \(PasswordPolicy.maximumBytes) bytes (bcrypt reads no more).")
        return [
            ("User", APISchema.object([
                APIProperty("id", id, required: true),
                APIProperty("email", .string, required: true),
                APIProperty("role", APISchema.cases(of: UserRole.self).describe("`admin` everything; `member` like a `send` key plus send configs; `viewer` like a `read` key."), required: true),
                APIProperty("createdAt", .dateTime, required: true),
                APIProperty("updatedAt", .dateTime, required: true),
            ]).describe("A dashboard user; never its password or hash.").example([
                "id": "usr_01JD4MB2C3D4E5F6G7H8J9K0M1", "email": "ann@example.com", "role": "member",
                "createdAt": "2026-11-30T09:00:00Z", "updatedAt": "2026-11-30T09:00:00Z",
            ])),
            ("UserCreate", APISchema.object([
                APIProperty("email", .nonEmptyString, required: true),
                APIProperty("password", password, required: true),
                APIProperty("role", APISchema.cases(of: UserRole.self).orNull.describe("Default `member`.")),
            ]).example(["email": "ann@example.com", "password": "correct horse battery", "role": "member"])),
            ("UserUpdate", APISchema.object([
                APIProperty("role", APISchema.cases(of: UserRole.self).orNull),
                APIProperty("password", password.orNull),
            ], additional: APISchema(.never)).example(["role": "viewer"])),
            ("UserList", list(of: "User")),
        ]
    }
}
