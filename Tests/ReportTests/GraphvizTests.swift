import Foundation
import XCTest
@testable import Report

final class GraphvizTests: XCTestCase {
    func testRendersDotToInlineSVG() throws {
        let svg = try Graphviz.svg(fromDot: """
            digraph G { rankdir=TB; conv1 [label="conv1: Conv2D"]; dense1 [label="dense1 & co"]; conv1 -> dense1; }
            """)
        XCTAssertTrue(svg.hasPrefix("<svg"), String(svg.prefix(200)))
        XCTAssertTrue(svg.hasSuffix("</svg>"))
        XCTAssertFalse(svg.contains("<?xml"))
        XCTAssertFalse(svg.contains("<!DOCTYPE"))
        XCTAssertTrue(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.contains("conv1: Conv2D"))
        XCTAssertTrue(svg.contains("dense1 &amp; co"))
        XCTAssertTrue(svg.contains("class=\"edge\""))
    }

    func testSyntaxErrorThrowsWithGraphvizMessage() throws {
        XCTAssertThrowsError(try Graphviz.svg(fromDot: "digraph G { a -> ; }")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("cannot parse the DOT graph"), message)
            XCTAssertTrue(message.contains("syntax error"), message)
        }
        // The parser recovers: the next graph renders.
        let svg = try Graphviz.svg(fromDot: "digraph { x -> y }")
        XCTAssertTrue(svg.contains(">x</text>"))
    }

    func testQuoted() {
        XCTAssertEqual(Graphviz.quoted("a \"b\" \\ c\nd"), #""a \"b\" \\ c\nd""#)
    }
}
