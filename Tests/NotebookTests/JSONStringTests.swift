import XCTest
@testable import Notebook

/// `jsonString` writes the canonical parameters every cache key is made of: its bytes must never change.
final class JSONStringTests: XCTestCase {
    func testEscapesAreThoseCacheKeysWereMadeWith() {
        XCTAssertEqual(jsonString(""), #""""#)
        XCTAssertEqual(jsonString(#"a"b\c"#), #""a\"b\\c""#)
        XCTAssertEqual(jsonString("\n\r\t"), #""\n\r\t""#)
        // Other C0 controls as \u and four lowercase hex digits (no \b or \f short forms).
        XCTAssertEqual(jsonString("\u{0}\u{1}\u{8}\u{c}\u{1f}"), #""\u0000\u0001\u0008\u000c\u001f""#)
        // DEL, non-ASCII and the slash are written as they are.
        XCTAssertEqual(jsonString("\u{7f}é 😀/<&>'"), "\"\u{7f}é 😀/<&>'\"")
    }
}
