import Foundation
import XCTest
@testable import Report

/// Warnings drawn as warnings, grey chips, callouts and the handout/present layouts, read back from the HTML.
final class WarningStyleTests: XCTestCase {
    func testAWarningIsAmberAndTheBadgeSaysSo() throws {
        let step = StepSection(stage: "train", line: 9, outputs: [.note("fine"), .details(summary: "more", outputs: [.warning("loss <grew>")])])
        XCTAssertTrue(step.hasWarnings)
        let html = ReportPage(title: "t", sections: [.step(step)]).html()
        XCTAssertTrue(html.contains("<section class=\"step status-ran warned\" id=\"step-train-line-9\">"))
        XCTAssertTrue(html.contains("<span class=\"status\">ran, with warnings</span>"))
        XCTAssertTrue(html.contains("<span class=\"toc-meta\">ran, with warnings</span>"))
        XCTAssertTrue(html.contains("<p class=\"warning\" role=\"note\"><strong>Warning</strong> loss &lt;grew&gt;</p>"))
        // Amber in both colour schemes, distinct from the note's blue.
        XCTAssertTrue(reportCSS.contains("--warn: #8a4600; --warn-bg: #fff1de;"))
        XCTAssertTrue(reportCSS.contains("--warn: #f0b045; --warn-bg: #2b1d0b;"))
        XCTAssertEqual(Output.warnings(in: step.outputs), ["loss <grew>"])
        let plain = ReportPage(title: "t", sections: [.step(StepSection(stage: "load", line: 2, outputs: [.note("n")]))]).html()
        XCTAssertTrue(plain.contains("<span class=\"status\">ran</span>"))
        XCTAssertFalse(plain.contains("status-ran warned"))
        XCTAssertFalse(plain.contains("with warnings"))
    }

    func testAnInertChipIsGreyAndSaysWhy() {
        var step = StepSection(stage: "train", line: 4, params: [("early_stopping", "{patience: 5}"), ("epochs", "3")],
                               help: ["early_stopping": ParameterHelp(doc: "stop early", allowed: "map", defaultValue: "{}")])
        step.inert = ["early_stopping": "cannot act in this run"]
        let html = ReportPage(title: "t", sections: [.step(step)]).html()
        XCTAssertTrue(html.contains("<li class=\"param inert\" tabindex=\"0\" aria-describedby=\"step-train-line-4-help-early_stopping\">"), html)
        XCTAssertTrue(html.contains("<span class=\"d inert-why\">cannot act in this run</span>"))
        XCTAssertTrue(html.contains("<li class=\"param\"><span class=\"k\">epochs</span>"))
    }

    func testHandoutLeavesReferenceOutAndPresentIsWide() {
        let step = StepSection(stage: "load", line: 2, outputs: [.reference(.table(Table(caption: "SHA", header: ["f"], rows: [["x"]]))),
                                                                 .note("kept")])
        var page = ReportPage(title: "t", sections: [.step(step)])
        XCTAssertTrue(page.html().contains("<figcaption>SHA</figcaption>"))
        XCTAssertTrue(page.html().contains("<body>"))
        page.layout = .handout
        XCTAssertFalse(page.html().contains("<figcaption>SHA</figcaption>"))
        XCTAssertTrue(page.html().contains("<body class=\"layout-handout\">"))
        XCTAssertTrue(page.html().contains("kept"))
        page.layout = .present
        XCTAssertTrue(page.html().contains("<figcaption>SHA</figcaption>"))
        XCTAssertTrue(page.html().contains("<body class=\"layout-present\">"))
    }

    func testCalloutAndABlankAnswer() {
        XCTAssertEqual(calloutHTML(kind: "question", label: "Question", html: "<p>Why?</p>\n", line: 3),
                       "<aside class=\"callout callout-question\" aria-label=\"Question\"><p class=\"callout-label\">Question</p>"
                       + "<div class=\"callout-body\"><p>Why?</p>\n</div></aside>")
        XCTAssertTrue(calloutHTML(kind: "answer", label: "Your answer", html: "", line: 7, blank: true)
            .contains("<p class=\"blank\">Not answered yet: write your answer in the answer block on line 7 of the notebook.</p>"))
    }

    func testWarningAndReferenceOutputsSurviveTheCache() throws {
        let outputs: [Output] = [.warning("w"), .reference(.note("r"))]
        let back = try JSONDecoder().decode([Output].self, from: JSONEncoder().encode(outputs))
        XCTAssertEqual(Output.warnings(in: back), ["w"])
        guard case .reference(.note("r")) = back[1] else { return XCTFail("\(back[1])") }
    }
}
