import BatchSenderStore

/// A failed expectation of the conformance suite, with where it failed.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public var message: String
    public var location: String

    public var description: String { "\(location): \(message)" }
}

// Assertions that throw, so the suite needs no test framework and any runner can report it.

/// Fails unless `actual == expected`.
public func expectEqual<T: Equatable>(
    _ actual: T, _ expected: T, _ what: @autoclosure () -> String = "", fileID: String = #fileID, line: Int = #line
) throws {
    guard actual == expected else {
        throw ConformanceFailure(
            message: "\(what()) expected \(expected), got \(actual)".trimmingLeadingSpace, location: "\(fileID):\(line)")
    }
}

/// Fails unless `condition` holds.
public func expectTrue(
    _ condition: Bool, _ what: @autoclosure () -> String, fileID: String = #fileID, line: Int = #line
) throws {
    guard condition else { throw ConformanceFailure(message: what(), location: "\(fileID):\(line)") }
}

/// Fails unless `body` throws an error equal to `expected`.
public func expectThrows<E: Error & Equatable, T>(
    _ expected: E, _ what: @autoclosure () -> String = "", fileID: String = #fileID, line: Int = #line,
    _ body: () async throws -> T
) async throws {
    do {
        let value = try await body()
        throw ConformanceFailure(
            message: "\(what()) expected \(expected) to be thrown, got \(value)".trimmingLeadingSpace,
            location: "\(fileID):\(line)")
    } catch let error as E {
        guard error == expected else {
            throw ConformanceFailure(
                message: "\(what()) expected \(expected), got \(error)".trimmingLeadingSpace, location: "\(fileID):\(line)")
        }
    }
}

/// Fails unless `body` throws a `StoreError` of the same case as `expected` (messages ignored).
public func expectStoreError<T>(
    _ expected: StoreErrorKind, _ what: @autoclosure () -> String = "", fileID: String = #fileID, line: Int = #line,
    _ body: () async throws -> T
) async throws {
    let value: T
    do {
        value = try await body()
    } catch let error as StoreError {
        guard StoreErrorKind(error) == expected else {
            throw ConformanceFailure(
                message: "\(what()) expected \(expected), got \(error)".trimmingLeadingSpace, location: "\(fileID):\(line)")
        }
        return
    }
    throw ConformanceFailure(
        message: "\(what()) expected \(expected) to be thrown, got \(value)".trimmingLeadingSpace,
        location: "\(fileID):\(line)")
}


extension String {
    fileprivate var trimmingLeadingSpace: String { drop(while: { $0 == " " }).description }
}
