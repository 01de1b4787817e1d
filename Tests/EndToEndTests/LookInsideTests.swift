import Foundation
import XCTest

/// A small notebook with inspect, train.track and expectations rendered through the command line and
/// read back; then `grade` over three students, one failing.
final class LookInsideTests: XCTestCase {
    /// 600 training images, 1 epoch: the tests look at the report's structure, not at the accuracy.
    func notebook(testAccuracy: String = ">= 0.0", title: String = "Inside") -> String {
        """
        ---
        title: \(title)
        seed: 3
        ---

        # Inside

        <script>alert('prose')</script> <img src=x onerror="alert(1)">

        ```load
        dataset: mnist
        validation_split: 0.2
        limit_train: 600
        limit_test: 200
        expect: {train_samples: 480, test_samples: "== 200"}
        ```

        ```preprocess
        ```

        ```build
        layers:
          - conv2d: {filters: 4, kernel: 3, activation: relu, name: conv1}
          - maxpool: {pool: 2, name: pool1}
          - conv2d: {filters: 6, kernel: 3, activation: relu, name: conv2}
          - flatten: {name: flatten}
          - dense: {units: 16, activation: relu, name: dense1}
          - dense: {units: 10, activation: softmax, name: output}
        expect: {params_total: "> 1000"}
        ```

        ```train
        epochs: 1
        track: 5
        expect: {epochs_run: 1}
        ```

        ```inspect
        images: [0, 1, 2]
        embedding: {layer: dense1, images: 150}
        ```

        ```inspect
        images: [3]
        layers: [conv2]
        filters: false
        saliency: false
        ```

        ```evaluate
        expect: {test_accuracy: "\(testAccuracy)"}
        ```
        """
    }

    func testInspectTrackAndExpectationsReadBack() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(notebook(), named: "inside.md", in: folder)
        let run = try mnistbook(["render", "inside.md", "-o", "out", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        let html = try String(contentsOf: folder.appendingPathComponent("out/inside.html"), encoding: .utf8)
        XCTAssertFalse(html.contains("<script"), "prose raw HTML must not reach the page")
        XCTAssertFalse(html.contains("onerror"))

        // Feature-map tiles: channels × images × layers. First inspect: conv1 (4) and conv2 (6) for 3 images;
        // the second: conv2 for 1 image.
        let inspect = html.components(separatedBy: "<section class=\"step").filter { $0.contains("id=\"step-inspect-line-") }
        XCTAssertEqual(inspect.count, 2)
        func tiles(_ section: String) -> Int {
            section.components(separatedBy: "<figcaption>Feature maps of ").dropFirst().reduce(0) { sum, figure in
                sum + figure.components(separatedBy: "</figure>")[0].components(separatedBy: "<div class=\"tile\">").count - 1
            }
        }
        XCTAssertEqual(tiles(inspect[0]), (4 + 6) * 3)
        XCTAssertEqual(tiles(inspect[1]), 6 * 1)
        // Saliency maps have the image's shape; the embedding has a point per image.
        XCTAssertEqual(captures("data-shape=\"([^\"]+)\"", in: inspect[0]), ["28×28", "28×28", "28×28"])
        XCTAssertEqual(captures("(class=\"point)", in: inspect[0]).count, 150)
        XCTAssertTrue(inspect[0].contains("conv1 kernels at initialisation"))
        XCTAssertFalse(inspect[1].contains("kernels at initialisation"))

        let train = try XCTUnwrap(stepSection(html, stage: "train"))
        XCTAssertEqual(captures("<td class=\"cell (right|wrong)", in: train).count, 5, "5 tracked digits × 1 epoch")
        XCTAssertTrue(train.contains("<figure class=\"table timelapse\"><figcaption>Timelapse: 5 test digits predicted after every epoch</figcaption>"), train)
        XCTAssertTrue(train.contains("<p class=\"note\">Diagnosis, underfitting: the training accuracy after 1 epoch is "), train)
        XCTAssertTrue(train.contains("<details class=\"more\"><summary>Validation confusion matrix after each of the 1 epochs</summary>"))
        XCTAssertTrue(train.contains("<li class=\"expectation ok\">✓ passed: epochs_run 1: 1</li>"), train)

        let metrics = try readJSON(folder.appendingPathComponent("out/metrics.json"))
        let expectations = try XCTUnwrap(metrics["expectations"] as? [[String: Any]])
        XCTAssertEqual(expectations.map { $0["name"] as? String }, ["train_samples", "test_samples", "params_total", "epochs_run", "test_accuracy"])
        XCTAssertEqual(expectations.map { $0["passed"] as? Bool }, [true, true, true, true, true])
        XCTAssertEqual(expectations[1]["condition"] as? String, "== 200")
        XCTAssertEqual(expectations[1]["value"] as? Int, 200)
        XCTAssertEqual(expectations[1]["stage"] as? String, "load")
    }

    func testFailedExpectationExitsThree() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(notebook(testAccuracy: ">= 0.999"), named: "inside.md", in: folder)
        let run = try mnistbook(["render", "inside.md", "-o", "out", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 3, run.stderr)
        // Warnings (the notebook's raw <script>, a class never predicted) come before it on stderr.
        XCTAssertTrue(run.stderr.hasPrefix("inside.md:8:1: warning: raw HTML <script> is omitted from the report"), run.stderr)
        XCTAssertTrue(run.stderr.hasSuffix("\n"), run.stderr)
        XCTAssertTrue(run.stderr.split(separator: "\n").last?.hasPrefix("inside.md:50: evaluate: expectation failed: test_accuracy >= 0.999: 0.") == true,
                      run.stderr)
        let html = try String(contentsOf: folder.appendingPathComponent("out/inside.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<li class=\"expectation bad\">✗ failed: test_accuracy &gt;= 0.999: "))
        let metrics = try readJSON(folder.appendingPathComponent("out/metrics.json"))
        let last = try XCTUnwrap((metrics["expectations"] as? [[String: Any]])?.last)
        XCTAssertEqual(last["passed"] as? Bool, false)
        XCTAssertEqual(last["line"] as? Int, 50)

        // The same condition from the command line replaces the notebook's; every step now comes from the cache.
        _ = try writeNotebook(notebook(), named: "inside.md", in: folder)
        let set = try mnistbook(["render", "inside.md", "-o", "out", "--quiet", "--set", "evaluate.expect.test_accuracy=>= 0.999"], in: folder)
        XCTAssertEqual(set.status, 3, set.stderr)
        XCTAssertTrue(set.stderr.split(separator: "\n").last?.hasPrefix("inside.md:50: evaluate: expectation failed: test_accuracy >= 0.999: 0.") == true,
                      set.stderr)
        let relaxed = try mnistbook(["render", "inside.md", "-o", "out", "--quiet", "--set", "evaluate.expect.test_accuracy=> 0"], in: folder)
        XCTAssertEqual(relaxed.status, 0, relaxed.stderr)
    }

    func testCheckNamesBadExpectationsAndRenderExitsTwo() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook("""
            ```load
            dataset: mnist
            expect: {test_acuracy: ">= 0.9", train_samples: "=> 5"}
            ```

            ```eda
            expect: {x: 1}
            ```
            """, named: "bad.md", in: folder)
        let check = try mnistbook(["check", "bad.md"], in: folder)
        XCTAssertEqual(check.stderr, """
            bad.md:3:10: load: expect: unknown result 'test_acuracy'; load offers train_samples, val_samples, test_samples
            bad.md:3:49: load: expect: train_samples: '=> 5' has an unknown comparison; use one of >= <= > < == != followed by a number
            bad.md:7:1: eda: 'eda' has no results to expect; the stages with results are load, build, train and evaluate (mnistbook steps lists them)

            """)
        let render = try mnistbook(["render", "bad.md", "--quiet"], in: folder)
        XCTAssertEqual(render.status, 2)
        XCTAssertEqual(render.stderr, check.stderr)

        _ = try writeNotebook("```load\ndataset: mnist\n```\n", named: "ok.md", in: folder)
        let flags = try mnistbook(["check", "ok.md", "--set", "load.expect.test_sample=1", "--set", "load.expect.test_samples=about 5",
                                   "--set", "load.expect=1", "--set", "eda.expect.x=1"], in: folder)
        XCTAssertEqual(flags.status, 1)
        XCTAssertEqual(flags.stderr, """
            --set load.expect.test_sample=1: expect: unknown result 'test_sample' (did you mean 'test_samples'?); load offers train_samples, val_samples, test_samples
            --set load.expect.test_samples=about 5: expect: test_samples: 'about 5' is not a condition: write a number, or one of >= <= > < == != followed by a number (e.g. ">= 0.99")
            --set load.expect=1: expected load.expect.result=condition, for example load.expect.train_samples=">= 0"
            --set eda.expect.x=1: 'eda' has no results to expect; the stages with results are load, build, train and evaluate (mnistbook steps lists them)

            """)
        let missing = try mnistbook(["render", "ok.md", "--quiet", "--set", "evaluate.expect.test_accuracy=1"], in: folder)
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "--set evaluate.expect.test_accuracy=1: the notebook has no 'evaluate' step\n")
        let steps = try mnistbook(["steps", "evaluate"], in: folder)
        XCTAssertTrue(steps.stdout.contains("results for expect: test_accuracy, test_loss, val_accuracy, val_loss"), steps.stdout)
    }

    func testGradeThreeStudentsOneFailing() throws {
        let folder = try temporaryFolder(self)
        for (student, condition) in [("ada", ">= 0.0"), ("ben", ">= 0.999"), ("cy", "> 0")] {
            let dir = folder.appendingPathComponent(student)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            _ = try writeNotebook(notebook(testAccuracy: condition, title: "<script>alert('\(student)')</script>"), named: "lab.md", in: dir)
        }
        let run = try mnistbook(["grade", "ada", "ben", "cy", "-o", "class.html"], in: folder)
        XCTAssertEqual(run.status, 3, run.stderr)
        XCTAssertTrue(run.stdout.contains("ada/lab.md: passed (5 of 5 expectations met)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("ben/lab.md: expectation failed (4 of 5 expectations met)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("Class page: class.html (2 of 3 passed)"), run.stdout)
        let page = try String(contentsOf: folder.appendingPathComponent("class.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("2 of 3 notebooks met every expectation"))
        XCTAssertTrue(page.contains("<a href=\"ben/output/lab/lab.html\">lab.md</a>"), page)
        XCTAssertTrue(page.contains("✗ evaluate line 50: test_accuracy &gt;= 0.999"), page)
        XCTAssertFalse(page.contains("<script"))
        // A folder it cannot use is refused before anything runs.
        let missing = try mnistbook(["grade", "ada", "dan", "-o", "again.html"], in: folder)
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "grade: dan is not a folder\n")
        XCTAssertEqual(missing.stdout, "", "ada is not graded again before dan is found missing")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let empty = try mnistbook(["grade", "empty", "-o", "again.html"], in: folder)
        XCTAssertEqual(empty.status, 2)
        XCTAssertEqual(empty.stderr, "grade: empty holds no notebook (*.md)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("again.html").path))
        for student in ["ada", "ben", "cy"] {
            let report = try String(contentsOf: folder.appendingPathComponent("\(student)/output/lab/lab.html"), encoding: .utf8)
            XCTAssertFalse(report.contains("<script"), "\(student)'s report runs no script")
        }
    }
}
