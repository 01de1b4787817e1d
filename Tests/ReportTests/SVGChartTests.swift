import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Report

/// swift-corelibs-foundation's `attribute(forName:)` returns nil on elements in a namespace
/// (all of an SVG's), so look attributes up by name by hand.
extension XMLElement {
    func attr(_ name: String) -> XMLNode? { attributes?.first { $0.name == name } }
}

final class SVGChartTests: XCTestCase {
    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws -> XMLElement {
        let doc = try XMLDocument(xmlString: svg, options: [])
        let root = try XCTUnwrap(doc.rootElement(), file: file, line: line)
        XCTAssertEqual(root.name, "svg", file: file, line: line)
        XCTAssertEqual(root.uri, "http://www.w3.org/2000/svg",
                       file: file, line: line)
        XCTAssertNotNil(root.attr("viewBox"), file: file, line: line)
        return root
    }

    func elements(_ root: XMLElement, name: String, cls: String? = nil) -> [XMLElement] {
        var found: [XMLElement] = []
        func walk(_ e: XMLElement) {
            if e.localName == name && (cls == nil || e.attr("class")?.stringValue == cls) { found.append(e) }
            for child in e.children ?? [] { if let c = child as? XMLElement { walk(c) } }
        }
        walk(root)
        return found
    }

    func texts(_ root: XMLElement) -> [String] {
        elements(root, name: "text").compactMap(\.stringValue)
    }

    func testBarChartHasOneBarPerValue() throws {
        let chart = BarChart(title: "Class <distribution>", categories: (0..<10).map { "\($0)" },
                             series: [("train", (0..<10).map { Double(100 + $0) }),
                                      ("test", (0..<10).map { Double(20 + $0) })],
                             yLabel: "images", showValues: true)
        let root = try parse(SVGChart.render(chart))
        XCTAssertEqual(elements(root, name: "rect", cls: "bar").count, 20)
        let t = texts(root)
        XCTAssertTrue(t.contains("Class <distribution>"))
        XCTAssertTrue(t.contains("109"), "values on top")
        XCTAssertTrue(t.contains("train") && t.contains("test"), "legend")
    }

    func testBarHeightsFollowValues() throws {
        let chart = BarChart(categories: ["a", "b"], series: [("n", [10, 20])])
        let root = try parse(SVGChart.render(chart))
        let heights = elements(root, name: "rect", cls: "bar").compactMap { $0.attr("height")?.stringValue.flatMap(Double.init) }
        XCTAssertEqual(heights.count, 2)
        XCTAssertEqual(heights[1] / heights[0], 2, accuracy: 0.01)
    }

    func testDivergingLossStillRendersWithExponentTicks() throws {
        // A loss that blows up (the NaN-loss failure the report must still show) reaches 1e30 and beyond.
        let chart = LineChart(title: "Loss", series: [("loss", [2.3, 1e10, 1e30, .infinity])])
        let root = try parse(SVGChart.render(chart))
        XCTAssertTrue(texts(root).contains { $0.contains("e+30") || $0.contains("e+29") }, "\(texts(root))")
    }

    func testLineChartHasOnePathPerSeriesAndMarkers() throws {
        let chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss",
                              series: [("loss", [0.3, 0.1, 0.07, .nan, 0.05]), ("val_loss", [0.2, 0.12, 0.09, 0.08, 0.081])],
                              markers: [(3, "LR → 0.0005"), (4, "best epoch")])
        let root = try parse(SVGChart.render(chart))
        let lines = elements(root, name: "path", cls: "line")
        XCTAssertEqual(lines.count, 2)
        // The NaN splits the first series into two subpaths.
        XCTAssertEqual(lines[0].attr("d")?.stringValue?.filter { $0 == "M" }.count, 2)
        XCTAssertEqual(elements(root, name: "line", cls: "marker").count, 2)
        let t = texts(root)
        for label in ["LR → 0.0005", "best epoch", "loss", "val_loss", "epoch", "1", "5"] {
            XCTAssertTrue(t.contains(label), "missing text \(label) in \(t)")
        }
    }

    func testLogScaleLineChart() throws {
        let chart = LineChart(yLabel: "lr", series: [("lr", [1e-3, 1e-3, 5e-4, 2.5e-4, 1e-6])], logY: true)
        let root = try parse(SVGChart.render(chart))
        XCTAssertEqual(elements(root, name: "path", cls: "line").count, 1)
        let t = texts(root)
        XCTAssertTrue(t.contains("0.001"), "\(t)")
        XCTAssertTrue(t.contains("1e-6"), "\(t)")
    }

    func testLineChartsSideBySideInOneSVG() throws {
        let a = LineChart(title: "Loss", series: [("loss", [1, 0.5])])
        let b = LineChart(title: "Accuracy", series: [("accuracy", [0.5, 0.9]), ("val_accuracy", [0.4, 0.8])])
        let root = try parse(SVGChart.render([a, b]))
        XCTAssertEqual(elements(root, name: "svg").count, 3, "outer + one per chart")
        XCTAssertEqual(elements(root, name: "path", cls: "line").count, 3)
    }

    func testHeatmapCellsAndCounts() throws {
        let values = [[973, 0, 7], [2, 1130, 3], [5, 1, 1026]]
        let map = Heatmap(title: "Confusion matrix", rowLabels: ["0", "1", "2"], colLabels: ["0", "1", "2"], values: values)
        let root = try parse(SVGChart.render(map))
        XCTAssertEqual(elements(root, name: "rect", cls: "cell").count, 9)
        let counts = elements(root, name: "text", cls: "count")
        XCTAssertEqual(counts.compactMap(\.stringValue), values.flatMap { $0 }.map(String.init))
        // Dark (large) cells get white text, pale ones dark text.
        XCTAssertEqual(counts[4].attr("fill")?.stringValue, "#ffffff")
        XCTAssertNotEqual(counts[1].attr("fill")?.stringValue, "#ffffff")
        let t = texts(root)
        XCTAssertTrue(t.contains("True") && t.contains("Predicted"))
    }

    func testEmptyChartsStillRenderValidSVG() throws {
        _ = try parse(SVGChart.render(BarChart(categories: [], series: [])))
        _ = try parse(SVGChart.render(LineChart(series: [])))
        _ = try parse(SVGChart.render(LineChart(series: [("flat", [0.5])], markers: [(1, "only")])))
        _ = try parse(SVGChart.render(LineChart(series: [("none", [.nan, .infinity])], logY: true)))
        _ = try parse(SVGChart.render(Heatmap(rowLabels: [], colLabels: [], values: [])))
        _ = try parse(SVGChart.render([LineChart]()))
    }

    func testLabelsAreEscapedInSVG() throws {
        let chart = BarChart(title: "a < b & \"c\"", categories: ["<script>"], series: [("x\u{1}y", [1])])
        let svg = SVGChart.render(chart)
        XCTAssertFalse(svg.contains("<script"))
        let root = try parse(svg)
        XCTAssertTrue(texts(root).contains("<script>"))
    }

    func testBluesRamp() {
        XCTAssertEqual(SVGChart.blues(0), "#f7fbff")
        XCTAssertEqual(SVGChart.blues(1), "#08306b")
    }

    func testTicksAreNice() {
        let t = LinearTicks(min: 0.013, max: 0.291)
        XCTAssertEqual(t.step, 0.05, accuracy: 1e-12)
        XCTAssertEqual(t.lo, 0, accuracy: 1e-12)
        XCTAssertEqual(t.hi, 0.3, accuracy: 1e-12)
        XCTAssertEqual(t.label(0.15), "0.15")
        let flat = LinearTicks(min: 0.5, max: 0.5)
        XCTAssertLessThan(flat.lo, 0.5)
        XCTAssertGreaterThan(flat.hi, 0.5)
    }

    /// A band is one shaded polygon per stretch without gaps (2 points an epoch), drawn before the line
    /// it surrounds, inside the plot even where it reaches beyond the line; one epoch alone is an error bar.
    func testBandIsAPolygonPerStretchUnderItsLine() throws {
        let chart = LineChart(title: "spread", series: [("mean", [0.5, 0.6, .nan, 0.7, 0.8, 0.85])],
                              bands: [ChartBand(name: "mean ± 1 sd", low: [0.45, 0.5, .nan, 0.6, 0.7, 0.8],
                                                high: [0.55, 0.7, .nan, 0.8, 0.9, 1.3], around: 0)])
        let svg = SVGChart.render(chart)
        let root = try parse(svg)
        let polygons = elements(root, name: "polygon", cls: "band")
        let points = polygons.map { ($0.attr("points")?.stringValue ?? "").split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } } }
        XCTAssertEqual(points.map(\.count), [4, 6])
        XCTAssertEqual(polygons.map { $0.attr("fill")?.stringValue }, ["#1f77b4", "#1f77b4"], "the colour of the mean line")
        XCTAssertLessThan(try XCTUnwrap(svg.range(of: "<polygon")).lowerBound, try XCTUnwrap(svg.range(of: "<path class=\"line\"")).lowerBound)
        XCTAssertTrue(texts(root).contains("mean ± 1 sd"), "the legend names the band")
        // The axis is made for the band: its top (1.3) is inside the plot, which the mean alone (0.85) would not reach.
        let gridYs = elements(root, name: "line").filter { $0.attr("stroke")?.stringValue == "#e6e8eb" }
            .compactMap { $0.attr("y1")?.stringValue.flatMap(Double.init) }
        let ys = points.flatMap { $0.map { $0[1] } }
        XCTAssertGreaterThanOrEqual(ys.min() ?? 0, try XCTUnwrap(gridYs.min()))
        XCTAssertTrue(texts(root).contains("1.4"), "\(texts(root))")

        let one = LineChart(series: [("mean", [0.5])], bands: [ChartBand(name: "mean ± 1 sd", low: [0.4], high: [0.6], around: 0)])
        let single = try parse(SVGChart.render(one))
        XCTAssertEqual(elements(single, name: "polygon").count, 0)
        XCTAssertEqual(elements(single, name: "line", cls: "band").count, 1)
    }
}

/// Marker labels of events close together (two learning-rate reductions a few epochs apart) used to overprint.
final class MarkerLabelTests: XCTestCase {
    func testLabelsGoToTheFirstRowWhereTheyFit() {
        XCTAssertEqual(markerLabelRows([0...50, 60...100, 20...70, 110...150, 45...80]), [0, 0, 1, 0, 2])
        XCTAssertEqual(markerLabelRows([]), [])
    }

    func testCloseLearningRateReductionsDoNotOverlapInTheChart() throws {
        let markers: [(x: Int, label: String)] = [(7, "LR → 0.00025"), (8, "LR → 0.000125"), (9, "best epoch 9"), (10, "LR → 6.25e-05")]
        let chart = LineChart(title: "Loss", series: [("loss", (1...12).map { 1 / Double($0) })], markers: markers)
        let doc = try XMLDocument(xmlString: SVGChart.render(chart), options: [])
        var placed: [(label: String, y: Double, span: ClosedRange<Double>)] = []
        func walk(_ e: XMLElement) {
            if e.localName == "text", let label = e.stringValue, markers.contains(where: { $0.label == label }),
               let x = e.attr("x")?.stringValue.flatMap(Double.init), let y = e.attr("y")?.stringValue.flatMap(Double.init) {
                let w = textWidth(label, size: 11)
                let span = e.attr("text-anchor")?.stringValue == "end" ? (x - w)...x : x...(x + w)
                if !placed.contains(where: { $0.label == label }) { placed.append((label, y, span)) }
            }
            for child in e.children ?? [] { if let c = child as? XMLElement { walk(c) } }
        }
        walk(try XCTUnwrap(doc.rootElement()))
        XCTAssertEqual(placed.count, 4, "\(placed)")
        for (i, a) in placed.enumerated() {
            for b in placed[(i + 1)...] where a.y == b.y {
                XCTAssertFalse(a.span.overlaps(b.span), "'\(a.label)' and '\(b.label)' overlap on one row")
            }
        }
        XCTAssertGreaterThan(Set(placed.map(\.y)).count, 2, "four close labels need more than two rows")
    }
}

/// Ten per-class accuracies of 98.6–99.9% looked identical on an axis from 0.
final class ZoomedBarChartTests: XCTestCase {
    func testCloseHighValuesZoomTheAxisAndSaySo() throws {
        let accuracies = [0.986, 0.999, 0.991, 0.995, 0.989, 0.993, 0.997, 0.988, 0.990, 0.994]
        let chart = BarChart(title: "Accuracy per class", categories: (0..<10).map(String.init),
                             series: [("accuracy", accuracies)], yLabel: "accuracy", showValues: true, zoomAxis: true)
        let svg = SVGChart.render(chart)
        XCTAssertTrue(svg.contains(">axis zoomed: starts at 0.980, not 0</text>"), svg)
        let doc = try XMLDocument(xmlString: svg, options: [])
        var heights: [Double] = []
        func walk(_ e: XMLElement) {
            if e.localName == "rect", e.attr("class")?.stringValue == "bar",
               let h = e.attr("height")?.stringValue.flatMap(Double.init) { heights.append(h) }
            for child in e.children ?? [] { if let c = child as? XMLElement { walk(c) } }
        }
        walk(try XCTUnwrap(doc.rootElement()))
        XCTAssertEqual(heights.count, 10)
        // From 0 the tallest bar was 1.3% taller than the shortest; zoomed it is several times taller.
        XCTAssertGreaterThan(heights.max()! / heights.min()!, 2)

        // Values far apart, or a chart that did not ask, keep the axis at 0.
        XCTAssertFalse(SVGChart.render(BarChart(categories: ["a", "b"], series: [("n", [0.2, 0.9])], zoomAxis: true)).contains("axis zoomed"))
        XCTAssertFalse(SVGChart.render(BarChart(categories: ["a", "b"], series: [("n", [0.98, 0.99])])).contains("axis zoomed"))
    }
}
