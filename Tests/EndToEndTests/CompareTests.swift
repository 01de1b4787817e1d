// mnistbook compare on runs rendered here: the parameter diff, the confusion difference, the images
// one run gets right and the other wrong, and bad input (exit 2, the folder and what is missing).
import Foundation
import Runs
import Stages
import XCTest

/// A load → preprocess → build → train → evaluate notebook on 600 training and 200 test images, one epoch.
func tinyNotebook(learningRate: String = "0.001", epochs: Int = 1, limitTest: Int = 200, extraTrain: String = "") -> String {
    """
    ---
    title: Tiny run
    seed: 11
    ---

    ```load
    dataset: mnist
    validation_split: 0.2
    limit_train: 600
    limit_test: \(limitTest)
    ```

    ```preprocess
    normalize: scale
    ```

    ```build
    \(smallLayers)
    ```

    ```train
    learning_rate: \(learningRate)
    batch_size: 32
    epochs: \(epochs)\(extraTrain.isEmpty ? "" : "\n" + extraTrain)
    ```

    ```evaluate
    split: test
    ```
    """
}

/// Renders `text` as tiny.md into `folder/name` and returns the output folder.
@discardableResult
func renderTiny(_ text: String, into folder: URL, name: String, overrides: [String] = []) throws -> URL {
    let path = try writeNotebook(text, named: "tiny.md", in: folder)
    let output = folder.appendingPathComponent(name)
    _ = try NotebookRunner().render(notebookPath: path, outputDirectory: output, overrides: overrides)
    return output
}

/// Two renders shared by the compare and collate tests: the same notebook with two learning rates.
struct RunPair {
    var folder: URL
    var a: URL
    var b: URL

    nonisolated(unsafe) static var shared: RunPair?

    static func make() throws -> RunPair {
        if let shared { return shared }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let a = try renderTiny(tinyNotebook(learningRate: "0.001"), into: folder, name: "lr-small")
        let b = try renderTiny(tinyNotebook(learningRate: "0.01"), into: folder, name: "lr-large")
        shared = RunPair(folder: folder, a: a, b: b)
        return shared!
    }
}

final class CompareTests: XCTestCase {
    func fixture() throws -> RunPair { try RunPair.make() }

    /// A copy of a run folder to damage.
    func copy(_ run: URL, as name: String) throws -> URL {
        let target = try temporaryFolder(self).appendingPathComponent(name)
        try FileManager.default.copyItem(at: run, to: target)
        return target
    }

    func testOnlyTheChangedParameterIsListed() throws {
        let f = try fixture()
        let comparison = try Comparison([try Run.read(f.a.path), try Run.read(f.b.path)])
        XCTAssertEqual(comparison.differences, [ParameterDifference(name: "train.learning_rate", values: ["0.001", "0.01"])])
        let flat = FlatParameters(try Run.read(f.a.path).metrics)
        XCTAssertEqual(flat["build.layers.dense1.units"], "32")
        XCTAssertEqual(flat["train.batch_size"], "32")
        XCTAssertEqual(flat["build.layers"], "conv1, bn1, pool1, flatten, dense1, dropout, output")
    }

    func testPredictionsFileMatchesTheMetricsAndTheFlippedListsAreExact() throws {
        let f = try fixture()
        let a = try readJSON(f.a.appendingPathComponent("predictions.json"))
        let b = try readJSON(f.b.appendingPathComponent("predictions.json"))
        let labels = try XCTUnwrap(a["labels"] as? [Int]), pa = try XCTUnwrap(a["predictions"] as? [Int]), pb = try XCTUnwrap(b["predictions"] as? [Int])
        XCTAssertEqual(labels.count, 200)
        XCTAssertEqual(labels, b["labels"] as? [Int])
        // The file's predictions give the test accuracy metrics.json reports.
        let metrics = try readJSON(f.a.appendingPathComponent("metrics.json"))
        let accuracy = Double(zip(labels, pa).filter { $0 == $1 }.count) / Double(labels.count)
        XCTAssertEqual(try XCTUnwrap(metrics["test_accuracy"] as? Double), accuracy, accuracy: 1e-12)

        let comparison = try Comparison([try Run.read(f.a.path), try Run.read(f.b.path)])
        let pair = try XCTUnwrap(comparison.pair)
        XCTAssertEqual(pair.fixedByB, labels.indices.filter { pa[$0] != labels[$0] && pb[$0] == labels[$0] })
        XCTAssertEqual(pair.brokenByB, labels.indices.filter { pa[$0] == labels[$0] && pb[$0] != labels[$0] })
        XCTAssertFalse(pair.fixedByB.isEmpty && pair.brokenByB.isEmpty, "two learning rates ten times apart predict alike")
        // Same images and labels: every row of the difference sums to zero, and the diagonal is the net change.
        for row in pair.confusionDelta { XCTAssertEqual(row.reduce(0, +), 0) }
        let diagonal = pair.confusionDelta.indices.map { pair.confusionDelta[$0][$0] }.reduce(0, +)
        XCTAssertEqual(diagonal, pair.fixedByB.count - pair.brokenByB.count)
    }

    func testComparePageThroughTheCommandLine() throws {
        let f = try fixture()
        let work = try temporaryFolder(self)
        let run = try mnistbook(["compare", f.a.path, f.b.path, "-o", "cmp.html"], in: work)
        XCTAssertEqual(run.status, 0, run.stderr)
        let html = try String(contentsOf: work.appendingPathComponent("cmp.html"), encoding: .utf8)
        for id in ["differences", "metrics", "curves", "confusion", "flipped"] {
            XCTAssertTrue(html.contains("id=\"\(id)\""), "no \(id) section")
        }
        XCTAssertTrue(html.contains("<td>learning_rate</td><td>0.001</td><td>0.01</td>"))
        XCTAssertTrue(html.contains("Everything else equal"))
        XCTAssertFalse(html.contains("http://") && html.contains("<script src"), "the page loads nothing")

        // Three runs: curves and metrics for all, the pair sections for the first two.
        let three = try mnistbook(["compare", f.a.path, f.b.path, f.a.appendingPathComponent("metrics.json").path, "-o", "three.html"], in: work)
        XCTAssertEqual(three.status, 0, three.stderr)
    }

    func testBadInputNamesTheFolderAndExitsTwo() throws {
        let f = try fixture()
        let work = try temporaryFolder(self)

        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        var run = try mnistbook(["compare", f.a.path, empty.path], in: work)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "\(empty.path): no metrics.json: not a render output folder, or its render never finished "
            + "(run mnistbook render first)\n")

        run = try mnistbook(["compare", f.a.path, work.appendingPathComponent("nowhere").path], in: work)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "\(work.appendingPathComponent("nowhere").path): no such folder\n")

        // Another dataset: metrics.json says so.
        let other = try copy(f.b, as: "fashion")
        let metricsURL = other.appendingPathComponent("metrics.json")
        var text = try String(contentsOf: metricsURL, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"dataset\": \"mnist\"", with: "\"dataset\": \"fashion-mnist\"")
            .replacingOccurrences(of: "\"dataset_sha256\": \"", with: "\"dataset_sha256\": \"0")
        try text.write(to: metricsURL, atomically: true, encoding: .utf8)
        run = try mnistbook(["compare", f.a.path, other.path], in: work)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "\(other.path): a run on dataset 'fashion-mnist', but \(f.a.path) is on 'mnist': "
            + "runs on different datasets cannot be compared\n")

        // A predictions file cut short, and one with a prediction changed.
        let cut = try copy(f.b, as: "cut")
        let predictions = cut.appendingPathComponent("predictions.json")
        let bytes = try Data(contentsOf: predictions)
        try bytes.prefix(bytes.count / 2).write(to: predictions)
        run = try mnistbook(["compare", f.a.path, cut.path], in: work)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "\(predictions.path): predictions.json is not readable: not valid JSON (cut short or damaged)\n")

        let edited = try copy(f.b, as: "edited")
        let editedURL = edited.appendingPathComponent("predictions.json")
        var json = try String(contentsOf: editedURL, encoding: .utf8)
        let range = try XCTUnwrap(json.range(of: "\"predictions\": ["))
        let digit = json.index(range.upperBound, offsetBy: 0)
        json.replaceSubrange(digit...digit, with: json[digit] == "1" ? "2" : "1")
        try json.write(to: editedURL, atomically: true, encoding: .utf8)
        run = try mnistbook(["compare", f.a.path, edited.path], in: work)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "\(editedURL.path): predictions.json is corrupt: checksum mismatch (the file was changed or cut short)\n")
    }
}
