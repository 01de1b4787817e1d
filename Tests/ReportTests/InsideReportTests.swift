import Foundation
import XCTest
@testable import Report

/// The report's new parts: parameter help on chips, the glossary, dark mode, expectations beside their
/// step, folded snapshots, the class page's escaping, and the timelapse and scatter renderers.
final class InsideReportTests: XCTestCase {
    func step(expectations: [ExpectationCheck] = [], outputs: [Output] = []) -> StepSection {
        var s = StepSection(stage: "train", line: 9, overridden: ["epochs"], params: [("epochs", "3"), ("shuffle", "true"), ("odd", "1")],
                            outputs: outputs,
                            help: ["epochs": ParameterHelp(doc: "maximum number of epochs", allowed: "int ≥ 1", defaultValue: "20"),
                                   "shuffle": ParameterHelp(doc: "shuffle <every> epoch", allowed: "bool", defaultValue: "true")])
        s.expectations = expectations
        return s
    }

    func testChipsShowHelpOnHoverAndFocusAndLinkTheGlossary() {
        let html = ReportPage(title: "t", sections: [.step(step())]).html()
        XCTAssertTrue(html.contains("<li class=\"param set\" tabindex=\"0\" aria-describedby=\"step-train-line-9-help-epochs\"><span class=\"k\">epochs</span> "
            + "<span class=\"v\">3</span> <span class=\"mark\">set</span><span class=\"help\" role=\"tooltip\" id=\"step-train-line-9-help-epochs\">"
            + "maximum number of epochs (<a href=\"#glossary-epoch\">epoch</a>)<span class=\"d\">int ≥ 1 · default 20</span>"
            + "<span class=\"d\">set in the notebook or on the command line</span></span></li>"), html)
        XCTAssertTrue(html.contains("shuffle &lt;every&gt; epoch<span class=\"d\">bool · default true</span>"), "help text is escaped")
        XCTAssertTrue(html.contains("<li class=\"param\"><span class=\"k\">odd</span> <span class=\"v\">1</span></li>"), "no help, no tooltip")
        XCTAssertTrue(html.contains(".param:hover .help, .param:focus .help, .param:focus-within .help { display: block; }"))
        XCTAssertTrue(html.contains("<dt id=\"glossary-epoch\">epoch</dt>"))
        // Every glossary link a chip can make has its target.
        for name in ["epochs", "batch_size", "learning_rate", "optimizer", "early_stopping", "reduce_lr_on_plateau", "model_checkpoint",
                     "validation_split", "normalize", "layers", "saliency", "embedding", "filters", "track", "expect"] {
            let term = Glossary.term(forParameter: name)
            XCTAssertNotNil(term, name)
            XCTAssertTrue(html.contains("<dt id=\"glossary-\(term!.id)\">"), name)
        }
        XCTAssertTrue(html.contains("@media (prefers-color-scheme: dark)"))
        XCTAssertFalse(ReportPage(title: "t", sections: [.prose(html: "<p>x</p>", headings: [])]).html().contains("class=\"glossary\""),
                       "a page without steps has no glossary")
    }

    func testExpectationsBesideTheStepAndFoldedOutputs() {
        let checks = [ExpectationCheck(stage: "train", line: 9, name: "epochs_run", condition: "<= 15", value: 3, passed: true),
                      ExpectationCheck(stage: "train", line: 9, name: "val_accuracy", condition: ">= 0.99", value: 0.98995, passed: false)]
        let html = ReportPage(title: "t", sections: [.step(step(expectations: checks, outputs: [
            .details(summary: "Per epoch <2>", outputs: [.note("inside")]),
        ]))]).html()
        XCTAssertTrue(html.contains("<li class=\"expectation ok\">✓ passed: epochs_run &lt;= 15: 3</li>"), html)
        XCTAssertTrue(html.contains("<li class=\"expectation bad\">✗ failed: val_accuracy &gt;= 0.99: 0.98995</li>"), html)
        XCTAssertTrue(html.contains("<details class=\"more\"><summary>Per epoch &lt;2&gt;</summary>\n<p class=\"note\">inside</p>\n</details>"), html)
    }

    func testDetailsSurviveTheCache() throws {
        let output = Output.details(summary: "s", outputs: [.note("a"), .heatmap(Heatmap(rowLabels: ["0"], colLabels: ["0"], values: [[3]]))])
        let back = try JSONDecoder().decode(Output.self, from: JSONEncoder().encode(output))
        guard case .details(let summary, let inner) = back else { return XCTFail("\(back)") }
        XCTAssertEqual(summary, "s")
        XCTAssertEqual(inner.count, 2)
    }

    func testClassPageEscapesEverythingFromTheNotebooks() {
        let evil = "<script>alert(1)</script>"
        let page = ClassPage(students: [
            ClassPage.Student(student: evil, notebook: "\(evil).md", status: "complete", reportLink: "x\"><script>.html",
                              checks: [ExpectationCheck(stage: "evaluate", line: 3, name: evil, condition: evil, value: 0.5, passed: false)],
                              metrics: [("test_accuracy", evil)]),
            ClassPage.Student(student: "bea", notebook: "nb.md", status: "complete", reportLink: "bea/nb.html",
                              checks: [ExpectationCheck(stage: "evaluate", line: 3, name: "test_accuracy", condition: ">= 0.9", value: 0.93, passed: true)],
                              metrics: [("test_accuracy", "0.9300")]),
        ]).html()
        XCTAssertFalse(page.contains("<script"), page)
        XCTAssertTrue(page.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        XCTAssertTrue(page.contains("1 of 2 notebooks met every expectation"))
        XCTAssertTrue(page.contains("✓ evaluate line 3: test_accuracy &gt;= 0.9 (got 0.93)"))
        XCTAssertTrue(page.contains("<a href=\"bea/nb.html\">nb.md</a>"))
    }

    func testTimelapseIsATableOfDigitsByEpochs() throws {
        let digit = GrayImage(width: 2, height: 2, pixels: [0, 255, 255, 0])
        let timelapse = Timelapse(title: "Tracked <digits>", rows: [
            .init(index: 42, digit: digit, trueClass: 7, predictions: [.init(cls: 3, confidence: 0.4), .init(cls: 7, confidence: 0.996)]),
            .init(index: 7, digit: digit, trueClass: 1, predictions: [.init(cls: 1, confidence: 0.05), .init(cls: 1, confidence: 0.6)]),
        ], classNames: (0..<10).map(String.init))
        let html = ReportPage(title: "t", sections: [.step(step(outputs: [.timelapse(timelapse)]))]).html()
        XCTAssertTrue(html.contains("<figure class=\"table timelapse\"><figcaption>Tracked &lt;digits&gt;</figcaption>"), html)
        XCTAssertTrue(html.contains("<thead><tr><th scope=\"col\">digit</th><th scope=\"col\" class=\"num\">epoch 1</th><th scope=\"col\" class=\"num\">epoch 2</th></tr></thead>"))
        XCTAssertEqual(captures("<td class=\"cell ([a-z ]+)\"", in: html), ["wrong", "right strong", "right", "right strong"])
        XCTAssertEqual(captures("--alpha:([0-9.]+)", in: html), ["0.40", "1.00", "0.15", "0.60"], "confidence floored at 0.15")
        // 99.6% prints as 99%, never as a certainty it was not.
        XCTAssertTrue(html.contains("title=\"#42, epoch 2: 7 at 99.6%\">7 <span class=\"conf\">99%</span></td>"), html)
        XCTAssertTrue(html.contains("alt=\"test image 42\"> #42 <span class=\"truth\">is 7</span></th>"))
        // Cached and shown again byte for byte.
        let back = try JSONDecoder().decode(Output.self, from: JSONEncoder().encode(Output.timelapse(timelapse)))
        let again = ReportPage(title: "t", sections: [.step(step(outputs: [back]))]).html()
        XCTAssertEqual(again, html)
    }

    func testScatter() {
        let scatter = ScatterChart(title: "S", xLabel: "x", yLabel: "y",
                                   points: [(0, 0, 0, false), (1, 2, 1, true), (2, 1, 1, false)], classNames: ["a", "b"]).svg()
        XCTAssertEqual(captures("class=\"(point[a-z ]*)\"", in: scatter), ["point", "point", "point marked"])
        XCTAssertTrue(scatter.contains(">× misclassified</text>"))
    }
}

/// Every match of a regular expression's first capture group.
private func captures(_ pattern: String, in text: String) -> [String] {
    let regex = try! NSRegularExpression(pattern: pattern)
    let ns = text as NSString
    return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
}
