// mnistbook collate over runs rendered here, with folders it must leave out; render --sweep.
import Foundation
import Runs
import Stages
import XCTest

final class CollateTests: XCTestCase {
    func testLeaderboardChangesAndLeftOutFolders() throws {
        let f = try RunPair.make()
        let work = try temporaryFolder(self)
        // A failed render, one from another notebook, an empty folder, a missing one, a damaged metrics.json.
        let failed = work.appendingPathComponent("failed")
        try FileManager.default.copyItem(at: f.a, to: failed)
        let failedMetrics = failed.appendingPathComponent("metrics.json")
        var text = try String(contentsOf: failedMetrics, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"status\": \"complete\"", with: "\"status\": \"failed\"")
        try text.write(to: failedMetrics, atomically: true, encoding: .utf8)
        let other = work.appendingPathComponent("other")
        try FileManager.default.copyItem(at: f.b, to: other)
        let otherMetrics = other.appendingPathComponent("metrics.json")
        text = try String(contentsOf: otherMetrics, encoding: .utf8)
        try text.replacingOccurrences(of: "tiny.md\"", with: "fashion.md\"").write(to: otherMetrics, atomically: true, encoding: .utf8)
        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let damaged = work.appendingPathComponent("damaged")
        try FileManager.default.copyItem(at: f.b, to: damaged)
        try Data("{\"notebook\": ".utf8).write(to: damaged.appendingPathComponent("metrics.json"))
        let missing = work.appendingPathComponent("missing").path

        let reference = try writeNotebook(tinyNotebook(learningRate: "0.001"), named: "tiny.md", in: work)
        let run = try mnistbook(["collate", f.a.path, f.b.path, failed.path, other.path, empty.path, damaged.path, missing,
                                 "--reference", reference, "-o", "class.html"], in: work)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr.split(separator: "\n").map(String.init), [
            "left out: \(empty.path): no metrics.json: not a render output folder, or its render never finished (run mnistbook render first)",
            "left out: \(damaged.path): metrics.json is not readable: not valid JSON (cut short or damaged)",
            "left out: \(missing): no such folder",
            "left out: \(failed.path): incomplete: the render failed",
            "left out: \(other.path): from another notebook (fashion.md, not tiny.md)",
        ])

        let collation = Collation(paths: [f.a.path, f.b.path], reference: nil)
        XCTAssertEqual(collation.entries.count, 2)
        XCTAssertEqual(collation.varied, ["train.learning_rate"])
        let accuracies = collation.entries.map { $0.run.metrics.testAccuracy! }
        XCTAssertEqual(accuracies, accuracies.sorted(by: >), "the leaderboard is best first")

        let html = try String(contentsOf: work.appendingPathComponent("class.html"), encoding: .utf8)
        for id in ["leaderboard", "changes", "curves", "scatter", "excluded"] { XCTAssertTrue(html.contains("id=\"\(id)\""), id) }
        // Against the reference (learning rate 0.001), lr-small changed nothing and lr-large one parameter.
        XCTAssertTrue(html.contains("<td>lr-large</td><td>train.learning_rate</td><td>0.001</td><td>0.01</td>"))
        XCTAssertTrue(html.contains("<td>lr-small</td><td>—</td><td>—</td><td>—</td>"))
        XCTAssertEqual(html.components(separatedBy: "<circle class=\"point\"").count - 1, 2, "one point per ranked run")
    }

    func testSweepRendersEachValueSharingTheStepsBeforeAndComparesThem() throws {
        let work = try temporaryFolder(self)
        let path = try writeNotebook(tinyNotebook(), named: "tiny.md", in: work)
        let bad = try mnistbook(["render", path, "--sweep", "train.learning_rate=0.01,-1", "--quiet"], in: work)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--sweep train.learning_rate=0.01,-1 (value -1)"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("output").path), "nothing ran")

        let run = try mnistbook(["render", path, "--sweep", "train.learning_rate=0.001,0.01", "--quiet"], in: work)
        XCTAssertEqual(run.status, 0, run.stderr)
        let base = work.appendingPathComponent("output/tiny")
        let first = try readJSON(base.appendingPathComponent("sweep-learning_rate-0.001/metrics.json"))
        let second = try readJSON(base.appendingPathComponent("sweep-learning_rate-0.01/metrics.json"))
        func cached(_ metrics: [String: Any]) -> [String: Bool] {
            Dictionary((metrics["steps"] as? [[String: Any]] ?? []).map { ($0["stage"] as! String, $0["cached"] as! Bool) }) { a, _ in a }
        }
        XCTAssertEqual(cached(first), ["load": false, "preprocess": false, "build": false, "train": false, "evaluate": false])
        XCTAssertEqual(cached(second), ["load": true, "preprocess": true, "build": true, "train": false, "evaluate": false])
        let page = try String(contentsOf: base.appendingPathComponent("sweep-learning_rate.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("<td>learning_rate</td><td>0.001</td><td>0.01</td>"))
    }
}
