// The step cache stores a step's outputs as JSON and shows them again: every payload must come back as it went in.
import Foundation
@testable import Report
import XCTest

final class OutputCodingTests: XCTestCase {
    /// The sample report's outputs (tables, key-values, charts, heatmaps, grids, diagrams, files, notes) and the
    /// rest of the kinds, through JSON and back: the page built from them is the same to the byte.
    func testEveryOutputKindComesBackFromJSONAsItWent() throws {
        var page = SampleReport.page()
        let extra: [Output] = [
            .code(language: "python", text: "model.fit(x, y)"),
            .error("train: the loss is NaN"),
            .details(summary: "Per epoch", outputs: [.note("inside")]),
            .barChart(BarChart(title: "zoomed", categories: ["0", "1"], series: [(name: "accuracy", values: [0.991, 0.987])],
                               showValues: true, zoomAxis: true)),
            .lineChart(LineChart(title: "gap", series: [(name: "loss", values: [0.5, .nan, 0.2])], markers: [(x: 2, label: "LR → 0.0005")])),
            .digitPad(DigitPadModel(modelJSON: "{}", classNames: ["0", "1"], side: 28)),
            .lineChart(LineChart(title: "seeds", series: [(name: "mean", values: [0.5, 0.6])],
                                 bands: [ChartBand(name: "mean ± 1 sd over 3 seeds", low: [0.4, 0.5], high: [0.6, 0.7], around: 0)])),
        ]
        page.sections.append(.step(StepSection(stage: "note", title: "More", line: 99, seconds: 0.1, status: .ran,
                                               params: [], outputs: extra)))
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var back = page
        for (i, section) in page.sections.enumerated() {
            guard case .step(var step) = section else { continue }
            step.outputs = try decoder.decode([Output].self, from: encoder.encode(step.outputs))
            back.sections[i] = .step(step)
        }
        XCTAssertEqual(back.html(), page.html())
        // A zoomed bar chart stays zoomed (the hand-written coding before left zoomAxis out).
        XCTAssertTrue(page.html().contains("zoomed"))
        guard case .barChart(let chart) = try decoder.decode(Output.self, from: encoder.encode(extra[3])) else { return XCTFail() }
        XCTAssertTrue(chart.zoomAxis)
    }

    /// A line chart a cache entry stored before bands existed (no "bands" key) still decodes, with none;
    /// one with a band keeps it.
    func testALineChartStoredBeforeBandsDecodesWithNone() throws {
        let chart = LineChart(title: "seeds", series: [(name: "mean", values: [0.5, 0.6])],
                              bands: [ChartBand(name: "mean ± 1 sd over 3 seeds", low: [0.4, 0.5], high: [0.6, 0.7], around: 0)])
        XCTAssertEqual(try JSONDecoder().decode(LineChart.self, from: JSONEncoder().encode(chart)).bands, chart.bands)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(chart)) as? [String: Any])
        XCTAssertNotNil(object.removeValue(forKey: "bands"))
        let old = try JSONDecoder().decode(LineChart.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(old.bands, [])
        XCTAssertEqual(old.series, chart.series)
        XCTAssertEqual(old.title, "seeds")
    }

    /// The JSON names each payload's fields, never a tuple position.
    func testKeyValuesAndFilesAreNamedInJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode([Output.keyValues(title: "Test", [("loss", "0.0231")]),
                                                        .files([WrittenFile(name: "m.mnistbook", bytes: 12)])]), as: UTF8.self)
        XCTAssertEqual(json, #"[{"keyValues":{"pairs":[{"key":"loss","value":"0.0231"}],"title":"Test"}},"#
                       + #"{"files":{"_0":[{"bytes":12,"name":"m.mnistbook"}]}}]"#)
    }
}
