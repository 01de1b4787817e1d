import Foundation
import Notebook
import Stages
import XCTest

/// Failures: at run time (a partial report), before running (diagnostics, nothing written), and
/// while writing (the previous report stays).
final class FailureTests: XCTestCase {
    func testNaNLossGivesPartialReportWithLaterStepsSkipped() throws {
        let folder = try temporaryFolder(self)
        // A rate beyond float32 is +inf in the optimizer: the first step makes the output biases ±inf (and
        // weights without gradient inf × 0 = NaN), so the next loss is NaN by IEEE rules on every CPU. A
        // finite huge rate overflows or not depending on the CPU's summation order (1e38 did on one, not another).
        let train = "optimizer: adam\nlearning_rate: 1e39\nbatch_size: 64\nepochs: 2"
        let path = try writeNotebook(smallNotebook(train: train), named: "diverges.md", in: folder)
        var ended: [(String, Bool)] = []
        let observer = RunObserver(stepEnded: { stage, _, failed in ended.append((stage, failed)) })
        let outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: folder.appendingPathComponent("out"),
                                                  overrides: [], observer: observer)
        XCTAssertTrue(outcome.failed)
        XCTAssertEqual(outcome.failedStep?.stage, "train")
        XCTAssertEqual(outcome.steps.map(\.status), [.ran, .ran, .ran, .ran, .failed, .skipped, .skipped, .skipped])
        XCTAssertEqual(ended.map(\.0), ["load", "eda", "preprocess", "build", "train"])
        XCTAssertEqual(ended.map(\.1), [false, false, false, false, true])

        let html = try String(contentsOf: outcome.reportURL, encoding: .utf8)
        let trainSection = try XCTUnwrap(stepSection(html, stage: "train"))
        XCTAssertTrue(trainSection.contains("status-failed"))
        XCTAssertTrue(trainSection.contains("class=\"error\""))
        XCTAssertTrue(trainSection.contains("invalid loss"), trainSection)
        XCTAssertTrue(trainSection.contains("the learning rate may be too high"))
        for stage in ["load", "eda", "preprocess", "build"] {
            XCTAssertTrue(try XCTUnwrap(stepSection(html, stage: stage)).contains("status-ran"), stage)
        }
        XCTAssertTrue(try XCTUnwrap(stepSection(html, stage: "build")).contains("Total params:"))
        for stage in ["evaluate", "error-analysis", "save"] {
            let section = try XCTUnwrap(stepSection(html, stage: stage), stage)
            XCTAssertTrue(section.contains("status-skipped"), stage)
            XCTAssertTrue(section.contains("Not run: the &#39;train&#39; step on line"), section)
        }
        let metrics = try readJSON(outcome.metricsURL)
        XCTAssertEqual(metrics["status"] as? String, "failed")
        XCTAssertTrue(metrics["test_accuracy"] is NSNull)
        XCTAssertEqual(metrics["params_total"] as? Int, 50_650)
    }

    func testCorruptDatasetFailsTheLoadStepInPlace() throws {
        let folder = try temporaryFolder(self)
        let data = folder.appendingPathComponent("broken-data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            try Data("not an IDX file".utf8).write(to: data.appendingPathComponent(name))
        }
        // A relative dataset folder is found next to the notebook.
        let path = try writeNotebook(smallNotebook(dataset: "broken-data"), named: "corrupt.md", in: folder)
        let outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: folder.appendingPathComponent("out"),
                                                  overrides: [], observer: RunObserver())
        XCTAssertEqual(outcome.failedStep?.stage, "load")
        XCTAssertEqual(outcome.steps.filter { $0.status == .skipped }.count, 7)
        let html = try String(contentsOf: outcome.reportURL, encoding: .utf8)
        let load = try XCTUnwrap(stepSection(html, stage: "load"))
        XCTAssertTrue(load.contains("class=\"error\""))
        XCTAssertTrue(load.contains("cannot load dataset &#39;broken-data&#39;"), load)
        XCTAssertTrue(load.contains("train-images-idx3-ubyte"), "the message names the file")
    }

    func testUnknownParameterIsReportedBeforeRunningAndNothingIsWritten() throws {
        let folder = try temporaryFolder(self)
        let train = "optimizer: adam\nepocs: 3"
        let path = try writeNotebook(smallNotebook(train: train), named: "typo.md", in: folder)
        let out = folder.appendingPathComponent("out")
        var began = 0
        XCTAssertThrowsError(try NotebookRunner().render(notebookPath: path, outputDirectory: out, overrides: [],
                                                         observer: RunObserver(stepBegan: { _, _ in began += 1 }))) { error in
            guard case RenderError.invalidNotebook(let list) = error else { return XCTFail("\(error)") }
            let line = lineNumber(of: "epocs: 3", in: smallNotebook(train: train))
            XCTAssertEqual(list.description, "\(path):\(line):1: train: unknown parameter 'epocs' (did you mean 'epochs'?)")
        }
        XCTAssertEqual(began, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing is written")
    }

    func testLayerStackThatDoesNotFitPointsAtTheLayer() throws {
        let folder = try temporaryFolder(self)
        let source = smallNotebook().replacingOccurrences(of: "  - flatten: {name: flatten}\n", with: "")
        let path = try writeNotebook(source, named: "shapes.md", in: folder)
        let line = lineNumber(of: "  - dense: {units: 32", in: source)
        let expected = "\(path):\(line):5: build: layer 'dense1': dense needs a flat input; add a flatten layer before it (input is 14×14×8)"
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: [])) { error in
            XCTAssertEqual("\(error)", expected)
        }
        XCTAssertThrowsError(try NotebookRunner().render(notebookPath: path, outputDirectory: folder.appendingPathComponent("out"),
                                                         overrides: [], observer: RunObserver())) { error in
            XCTAssertEqual("\(error)", expected)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))

        // Found together with an unrelated typo, in notebook order.
        let both = source.replacingOccurrences(of: "samples: 10", with: "sample: 10")
        let bothPath = try writeNotebook(both, named: "both.md", in: folder)
        XCTAssertThrowsError(try checkNotebook(path: bothPath, overrides: [])) { error in
            let lines = "\(error)".split(separator: "\n").map(String.init)
            XCTAssertEqual(lines.count, 2, "\(error)")
            XCTAssertTrue(lines.first?.contains("eda: unknown parameter 'sample'") ?? false, "\(error)")
            XCTAssertTrue(lines.last?.hasSuffix("build: layer 'dense1': dense needs a flat input; add a flatten layer before it (input is 14×14×8)") ?? false)
        }

        // An output layer that does not match the dataset's classes.
        let fiveClasses = smallNotebook().replacingOccurrences(of: "units: 10, activation: softmax", with: "units: 5, activation: softmax")
        let fivePath = try writeNotebook(fiveClasses, named: "five.md", in: folder)
        XCTAssertThrowsError(try checkNotebook(path: fivePath, overrides: [])) { error in
            XCTAssertTrue("\(error)".hasSuffix("build: layer 'output': the last layer has 5 units but the dataset has 10 classes"), "\(error)")
        }
    }

    func testSaveNameMustBeAPlainFileName() throws {
        let folder = try temporaryFolder(self)
        let source = smallNotebook().replacingOccurrences(of: "name: small_cnn", with: "name: ../escape")
        let path = try writeNotebook(source, named: "escape.md", in: folder)
        let line = lineNumber(of: "```save", in: source)
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: [])) { error in
            XCTAssertEqual("\(error)", "\(path):\(line):1: save: name '../escape' must be a file name, without '/'")
        }
    }

    func testWriteFailureKeepsThePreviousReportByteIdentical() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(dataOnlyNotebook(), named: "data.md", in: folder)
        let out = folder.appendingPathComponent("out")
        let first = try NotebookRunner().render(notebookPath: path, outputDirectory: out, overrides: [], observer: RunObserver())
        let previous = try Data(contentsOf: first.reportURL)

        // metrics.json is written before the report; a folder in its place makes that write fail.
        let metrics = out.appendingPathComponent("metrics.json")
        let previousMetrics = try Data(contentsOf: metrics)
        try FileManager.default.removeItem(at: metrics)
        try FileManager.default.createDirectory(at: metrics.appendingPathComponent("blocker"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try NotebookRunner().render(notebookPath: path, outputDirectory: out, overrides: [], observer: RunObserver())) { error in
            guard case RenderError.cannotWrite(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("metrics.json"), message)
        }
        XCTAssertEqual(try Data(contentsOf: first.reportURL), previous, "the previous report is intact")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") && $0 != ".cache" }
        XCTAssertEqual(leftovers, [], "no temporary files left behind")
        XCTAssertFalse(previousMetrics.isEmpty)

        // An output folder whose parent is a regular file: nothing can be written, and nothing is run.
        let file = folder.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        var began = 0
        XCTAssertThrowsError(try NotebookRunner().render(notebookPath: path, outputDirectory: file.appendingPathComponent("out"),
                                                         overrides: [], observer: RunObserver(stepBegan: { _, _ in began += 1 }))) { error in
            guard case RenderError.cannotWrite(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("plain-file"), message)
        }
        XCTAssertEqual(began, 0)
        XCTAssertEqual(try Data(contentsOf: file), Data("x".utf8))
    }
}

/// The 1-based line of the first line containing `text`.
func lineNumber(of text: String, in source: String) -> Int {
    let lines = source.components(separatedBy: "\n")
    return (lines.firstIndex { $0.contains(text) } ?? -1) + 1
}
