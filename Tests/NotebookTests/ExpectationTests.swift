import XCTest
@testable import Notebook

/// `expect:` conditions: every operator, a bare number, and the exact errors for what is not a condition.
final class ExpectationTests: XCTestCase {
    func parse(_ value: ParamValue) -> Result<Expectation, ExpectationError> { Expectation.parse(name: "test_accuracy", value) }

    func testOperators() throws {
        let cases: [(String, Expectation.Comparison, Double)] = [
            (">= 0.99", .atLeast, 0.99), ("<=15", .atMost, 15), ("> 0.5", .greater, 0.5), ("< 1e-3", .less, 0.001),
            ("== 3", .equal, 3), ("!= 0", .notEqual, 0), ("0.25", .equal, 0.25),
        ]
        for (text, comparison, target) in cases {
            let e = try parse(.string(text)).get()
            XCTAssertEqual(e.comparison, comparison, text)
            XCTAssertEqual(e.target, target, text)
            XCTAssertEqual(e.text, text.trimmingCharacters(in: .whitespaces))
        }
        XCTAssertEqual(try parse(.int(459210)).get(), Expectation(name: "test_accuracy", comparison: .equal, target: 459210, text: "459210"))
    }

    func testConditionsAreMetOrNot() throws {
        let e = try parse(.string(">= 0.99")).get()
        XCTAssertTrue(e.isMet(by: 0.99))
        XCTAssertTrue(e.isMet(by: 0.995))
        XCTAssertFalse(e.isMet(by: 0.9899))
        XCTAssertFalse(e.isMet(by: nil), "a result the run did not produce fails")
        XCTAssertFalse(e.isMet(by: .nan))
        XCTAssertTrue(try parse(.string("!= 3")).get().isMet(by: 4))
        XCTAssertFalse(try parse(.string("< 3")).get().isMet(by: 3))
    }

    func testErrors() {
        XCTAssertEqual(parse(.string("=> 0.9")), .failure(ExpectationError(
            "'=> 0.9' has an unknown comparison; use one of >= <= > < == != followed by a number")))
        XCTAssertEqual(parse(.string("high")), .failure(ExpectationError(
            "'high' is not a condition: write a number, or one of >= <= > < == != followed by a number (e.g. \">= 0.99\")")))
        XCTAssertEqual(parse(.bool(true)), .failure(ExpectationError("test_accuracy must be a number or a condition such as \">= 0.99\"")))
    }
}
