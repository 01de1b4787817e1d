import Foundation
import XCTest
@testable import Report

final class HTMLPageTests: XCTestCase {
    func testEscapeHTML() {
        XCTAssertEqual(escapeHTML("<script>alert(\"x&y\")</script>'"),
                       "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;")
        XCTAssertEqual(escapeHTML("a\u{1}b\tc"), "ab\tc")
        // Tab, newline and carriage return stay; every other C0 control and DEL goes; the rest is kept as it is.
        XCTAssertEqual(escapeHTML("\u{0}\n\u{1f}\r\u{7f}é 😀/"), "\n\ré 😀/")
        XCTAssertEqual(escapeHTML(""), "")
    }

    func testScriptInTableAndCaptionIsEscaped() {
        let step = StepSection(stage: "eda", line: 3, params: [("<script>k", "<script>v")], outputs: [
            .table(Table(caption: "<script>alert(1)</script>", header: ["<script>h"], rows: [["<script>cell"]])),
            .imageGrid(ImageGrid(title: "<script>t", images: [GrayImage(width: 1, height: 1, pixels: [0])],
                                 captions: ["<script>cap"])),
            .note("<b>note</b>"),
        ])
        let html = ReportPage(title: "<script>title", sections: [.step(step)]).html()
        XCTAssertFalse(html.contains("<script"), "unescaped <script in:\n\(html)")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&lt;script&gt;cell"))
        XCTAssertTrue(html.contains("&lt;b&gt;note&lt;/b&gt;"))
    }

    func testPageIsSelfContainedHTML() {
        let html = SampleReport.page().html()
        XCTAssertTrue(html.hasPrefix("<!doctype html>"))
        XCTAssertTrue(html.contains("<meta charset=\"utf-8\">"))
        XCTAssertTrue(html.contains("<style>"))
        XCTAssertTrue(html.contains("@media print"))
        XCTAssertFalse(html.contains("<link"))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("@import"))
        XCTAssertFalse(html.contains("url("), "CSS must not load anything")
        // No attribute may make the browser load something from the network.
        for attr in ["src", "href", "xlink:href", "srcset", "action", "poster", "data"] {
            for value in attributeValues(attr, in: html) {
                let v = value.lowercased()
                XCTAssertFalse(v.hasPrefix("http:") || v.hasPrefix("https:") || v.hasPrefix("//"),
                               "\(attr)=\"\(value)\" loads from outside")
            }
        }
        // Every http(s) string left is an XML namespace declaration.
        let withoutNamespaces = html.replacingOccurrences(
            of: #"xmlns(:\w+)?="http://www\.w3\.org/[^"]*""#, with: "", options: .regularExpression)
        XCTAssertFalse(withoutNamespaces.contains("http://"))
        XCTAssertFalse(withoutNamespaces.contains("https://"))
        // Images are inline PNG data URIs.
        let sources = attributeValues("src", in: html)
        XCTAssertFalse(sources.isEmpty)
        XCTAssertTrue(sources.allSatisfy { $0.hasPrefix("data:image/png;base64,") })
    }

    func testTableOfContentsLinksToEverySection() {
        let page = SampleReport.page()
        let html = page.html()
        let toc = html.range(of: "<nav class=\"toc\"").map { String(html[$0.lowerBound...]) }
            .flatMap { s in s.range(of: "</nav>").map { String(s[..<$0.upperBound]) } }
        XCTAssertNotNil(toc)
        var expected: [String] = []
        for section in page.sections {
            switch section {
            case .prose(_, let headings): expected += headings.map(\.id)
            case .step(let step): expected.append(step.id)
            }
        }
        XCTAssertEqual(expected.count, 11)
        let links = attributeValues("href", in: toc ?? "")
        XCTAssertEqual(links, expected.map { "#" + $0 })
        for id in expected {
            XCTAssertEqual(html.components(separatedBy: "id=\"\(id)\"").count - 1, 1, "exactly one element with id \(id)")
        }
        // Prose headings from cmark have no ids: the page adds them.
        XCTAssertTrue(html.contains("<h1 id=\"problem-definition\">Problem definition</h1>"))
        XCTAssertTrue(html.contains("<h2 id=\"data\">Data</h2>"))
    }

    func testStepHeaderShowsStageLineTimeAndStatus() {
        let html = SampleReport.page().html()
        let text = visibleText(html)
        XCTAssertTrue(text.contains("train · line 57 · 3 min 07 s · ran"), text)
        XCTAssertTrue(text.contains("load · line 12 · 0.84 s · cached, computed 2026-11-25 10:12"))
        XCTAssertTrue(text.contains("save · line 86 · failed"))
        XCTAssertTrue(text.contains("predict-demo · line 95 · skipped"))
    }

    func testOverriddenParametersAreMarked() {
        let html = SampleReport.page().html()
        XCTAssertTrue(html.contains("<li class=\"param set\""))
        XCTAssertTrue(html.contains("<span class=\"k\">epochs</span> <span class=\"v\">12</span> <span class=\"mark\">set</span>"))
        XCTAssertTrue(html.contains("<li class=\"param\"><span class=\"k\">optimizer</span>"))
    }

    func testErrorAppearsInPlace() {
        let html = SampleReport.page().html()
        guard let save = html.range(of: "id=\"step-save-line-86\""),
              let error = html.range(of: "class=\"error\""),
              let files = html.range(of: "mnist_cnn.mnistbook"),
              let next = html.range(of: "id=\"step-predict-demo-line-95\"") else {
            return XCTFail("missing parts")
        }
        XCTAssertLessThan(save.lowerBound, files.lowerBound)
        XCTAssertLessThan(files.lowerBound, error.lowerBound)
        XCTAssertLessThan(error.lowerBound, next.lowerBound)
        XCTAssertTrue(html.contains("No space left on device"))
        XCTAssertTrue(html.contains("class=\"step status-failed\""))
    }

    func testNumericColumnsAlignRight() {
        let t = Table(header: ["class", "name", "precision", "support"],
                      rows: [["0", "zero", "0.99", "1,135"], ["1", "one", "98.1%", "980"]])
        XCTAssertEqual(t.alignRight, [0, 2, 3])
        let html = ReportPage(title: "t", sections: [.step(StepSection(stage: "s", line: 1, outputs: [.table(t)]))]).html()
        XCTAssertTrue(html.contains("<td class=\"num\">1,135</td>"))
        XCTAssertTrue(html.contains("<td>zero</td>"))
    }

    func testConsecutiveChartsShareARow() {
        let html = SampleReport.page().html()
        XCTAssertTrue(html.contains("<div class=\"charts\">\n<figure class=\"chart\"><svg"))
        XCTAssertEqual(html.components(separatedBy: "<div class=\"charts\">").count - 1, 1, "loss + accuracy row")
        XCTAssertEqual(html.components(separatedBy: "<div class=\"charts single\">").count - 1, 1, "class distribution")
    }

    func testImageGridTilesAreInlinePNGsWithCaptions() throws {
        let image = GrayImage(width: 3, height: 2, pixels: [0, 50, 100, 150, 200, 250])
        let grid = ImageGrid(title: "Misclassified", images: [image, image], captions: ["7 → 1 (0.93)", "3 → 3"],
                             columns: 5, highlight: [true, false])
        let html = ReportPage(title: "t", sections: [.step(StepSection(stage: "s", line: 1, outputs: [.imageGrid(grid)]))]).html()
        XCTAssertEqual(html.components(separatedBy: "<div class=\"tile wrong\">").count - 1, 1)
        XCTAssertEqual(html.components(separatedBy: "<div class=\"tile\">").count - 1, 1)
        XCTAssertTrue(html.contains("<span>7 → 1 (0.93)</span>"))
        XCTAssertTrue(html.contains("--cols:5"))
        let uri = try XCTUnwrap(attributeValues("src", in: html).first)
        let base64 = String(uri.dropFirst("data:image/png;base64,".count))
        let png = try XCTUnwrap(Data(base64Encoded: base64))
        XCTAssertEqual(try PNG.decode([UInt8](png)).gray, image.pixels)
    }

    func testDiagramCodeAndNotes() throws {
        let svg = try Graphviz.svg(fromDot: "digraph { a -> b }")
        let step = StepSection(stage: "build", line: 9, outputs: [
            .diagram(svg: svg, caption: "architecture"),
            .code(language: "python", text: "if a < b:\n    print('x')"),
        ])
        let html = ReportPage(title: "t", sections: [.step(step)]).html()
        XCTAssertTrue(html.contains("<figure class=\"diagram\">\n<div class=\"diagram-body\"><svg"))
        XCTAssertTrue(html.contains("<figcaption>architecture</figcaption>"))
        XCTAssertTrue(html.contains("<pre class=\"code\"><code class=\"language-python\">if a &lt; b:\n    print(&#39;x&#39;)</code></pre>"))
    }

    func testProseHeadingIDsAreNotDuplicated() {
        let prose = "<h2 id=\"setup\">Setup</h2><h2>Other</h2>"
        let out = ProseAnchors.apply(prose, headings: [Heading(level: 2, text: "Setup", id: "setup"),
                                                       Heading(level: 2, text: "Other", id: "other"),
                                                       Heading(level: 3, text: "Gone", id: "gone")])
        XCTAssertEqual(out, "<a id=\"gone\"></a><h2 id=\"setup\">Setup</h2><h2 id=\"other\">Other</h2>")
    }

    func testFormatting() {
        XCTAssertEqual(formatSeconds(0.842), "0.84 s")
        XCTAssertEqual(formatSeconds(12.34), "12.3 s")
        XCTAssertEqual(formatSeconds(187.4), "3 min 07 s")
        XCTAssertEqual(formatSeconds(3725), "1 h 02 min")
        XCTAssertEqual(formatBytes(532), "532 B")
        XCTAssertEqual(formatBytes(1_843_212), "1.84 MB")
        XCTAssertEqual(groupThousands(459210), "459,210")
        XCTAssertEqual(anchorID("Problem definition: MNIST!"), "problem-definition-mnist")
    }

    /// Writes the sample page for a person (or a headless browser) to look at.
    func testWriteSampleReportWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["MNISTBOOK_SAMPLE_REPORT"] else {
            throw XCTSkip("set MNISTBOOK_SAMPLE_REPORT=/tmp/mnistbook-sample-report.html to write the sample page")
        }
        let url = URL(fileURLWithPath: path)
        try AtomicFile.write(SampleReport.page().html(), to: url)
        // The artifact files next to it, as a render leaves them.
        let dir = url.deletingLastPathComponent()
        try AtomicFile.write(SVGChart.render(SampleReport.historyCharts()), to: dir.appendingPathComponent("mnistbook-sample-training_history.svg"))
        try AtomicFile.write(SVGChart.render(SampleReport.confusionHeatmap()), to: dir.appendingPathComponent("mnistbook-sample-confusion_matrix.svg"))
        try AtomicFile.write(ImageGridRenderer.png(SampleReport.misclassified(), scale: 2),
                             to: dir.appendingPathComponent("mnistbook-sample-misclassified_samples.png"))
    }
}

/// Values of every `name="…"` attribute in `html`.
func attributeValues(_ name: String, in html: String) -> [String] {
    let pattern = "\\s" + NSRegularExpression.escapedPattern(for: name) + "=\"([^\"]*)\""
    let regex = try! NSRegularExpression(pattern: pattern)
    let ns = html as NSString
    return regex.matches(in: html, range: NSRange(location: 0, length: ns.length)).map {
        ns.substring(with: $0.range(at: 1))
    }
}

/// The page's text with tags removed and entities for the middle dot untouched.
func visibleText(_ html: String) -> String {
    html.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
}
