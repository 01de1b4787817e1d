// Issue 16, runs: step ids and targeted --set, train after train, each train step a run (metrics.json's
// "runs", a history file per run, the closing table and overlaid curves), --set seed and the --set list,
// and layer parameters from the command line. Real MNIST subsets, release builds.
import Foundation
import Notebook
import Stages
import XCTest

final class RunsTests: XCTestCase {
    /// Two runs of one small CNN, Adam then SGD, each built afresh and scored by its own evaluate.
    static let twoRuns = """
        ---
        title: Adam against SGD
        seed: 3
        ---

        ```load
        dataset: mnist
        validation_split: 0.2
        limit_train: 1000
        limit_test: 300
        ```

        ```preprocess
        normalize: scale
        ```

        ```build
        name: cnn_adam
        \(smallLayers)
        ```

        ```train
        id: adam
        epochs: 1
        batch_size: 50
        ```

        ```evaluate
        ```

        ```build
        name: cnn_sgd
        \(smallLayers)
        ```

        ```train
        id: sgd
        optimizer: sgd
        learning_rate: 0.05
        epochs: 1
        batch_size: 50
        ```

        ```evaluate
        ```

        ```save
        name: sgd_model
        formats: [mnistbook]
        demo_pad: false
        ```
        """

    /// The line of the fence just before the first line containing `marker` (steps' lines, found rather than counted).
    func fence(before marker: String, in text: String) -> Int {
        let lines = text.components(separatedBy: "\n")
        let at = lines.firstIndex { $0.contains(marker) }!
        return lines[..<at].lastIndex { $0.hasPrefix("```") }! + 1
    }

    func render(_ path: String, _ output: URL, _ overrides: [String]) throws -> RenderOutcome {
        try NotebookRunner().render(notebookPath: path, outputDirectory: output, overrides: overrides)
    }

    func testTwoRunsWithIDsAndATargetedSet() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(Self.twoRuns, named: "lab.md", in: folder)
        let output = folder.appendingPathComponent("out")
        let first = try render(path, output, ["sgd.epochs=2", "seed=5"])
        let metrics = try readJSON(first.metricsURL)
        XCTAssertEqual(metrics["overrides"] as? [String], ["sgd.epochs=2", "seed=5"])
        XCTAssertEqual(metrics["seed"] as? Int, 5)
        let runs = try XCTUnwrap(metrics["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["id"] as? String }, ["adam", "sgd"])
        XCTAssertEqual(runs.map { $0["epochs_run"] as? Int }, [1, 2])
        XCTAssertEqual(runs.map { $0["model"] as? String }, ["cnn_adam", "cnn_sgd"])
        XCTAssertEqual(runs.map { $0["history"] as? String }, ["training_history_adam.json", "training_history_sgd.json"])
        let params = try XCTUnwrap(runs[1]["params"] as? [String: Any])
        XCTAssertEqual((params["train"] as? [String: Any])?["optimizer"] as? String, "sgd")
        XCTAssertEqual((params["train"] as? [String: Any])?["epochs"] as? Int, 2)
        XCTAssertEqual((params["build"] as? [String: Any])?["name"] as? String, "cnn_sgd")
        // Each run's test accuracy is its own evaluate step's, which metrics.json's steps name.
        let steps = try XCTUnwrap(metrics["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.filter { $0["stage"] as? String == "evaluate" }.map { $0["run"] as? String }, ["adam", "sgd"])
        XCTAssertEqual(steps.filter { $0["stage"] as? String == "save" }.map { $0["run"] as? String }, ["sgd"])
        XCTAssertEqual(steps.filter { $0["stage"] as? String == "train" }.map { $0["id"] as? String }, ["adam", "sgd"])
        let accuracies = runs.compactMap { $0["test_accuracy"] as? Double }
        XCTAssertEqual(accuracies.count, 2)
        XCTAssertEqual(metrics["test_accuracy"] as? Double, accuracies[1], "the top-level figure stays the last run's")
        XCTAssertTrue(accuracies.allSatisfy { $0 > 0.3 }, "\(accuracies)")
        // A history file per run, and training_history.json the last one's, as with one run.
        for (name, epochs) in [("adam", 1), ("sgd", 2)] {
            let history = try readJSON(output.appendingPathComponent("training_history_\(name).json"))
            XCTAssertEqual((history["loss"] as? [Double])?.count, epochs)
        }
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("training_history.json")),
                       try Data(contentsOf: output.appendingPathComponent("training_history_sgd.json")))
        // The report: each evaluate says which run it scored; the closing table and curves compare them.
        let html = try String(contentsOf: first.reportURL, encoding: .utf8)
        let text = Self.twoRuns
        let adam = fence(before: "id: adam", in: text), build = fence(before: "name: cnn_adam", in: text)
        XCTAssertTrue(html.contains("Uses the model of run adam: the train step on line \(adam) trained cnn_adam, built on line \(build)."))
        let table = try XCTUnwrap(excerpt(html, from: "id=\"runs\"", to: "</table>"))
        XCTAssertTrue(table.contains("train.optimizer sgd"), table)
        XCTAssertTrue(table.contains("train.epochs 2"), table)
        XCTAssertTrue(table.contains("build.name cnn_sgd"), table)
        XCTAssertFalse(table.contains("train.batch_size"), "equal parameters are not listed")
        XCTAssertTrue(table.contains(String(format: "%.2f%%", accuracies[0] * 100)), table)
        XCTAssertTrue(html.contains("val_accuracy of every run"))
        // The closing section sums the notebook up: its header names the runs, not a step's "line 0".
        XCTAssertTrue(html.contains("<section class=\"step summary\" id=\"runs\">\n<header class=\"step-head\">\n"
            + "<h2 class=\"step-title\">All runs</h2>\n<p class=\"step-meta\"><span class=\"stage\">summary</span> · "
            + "2 runs of this notebook: adam, sgd</p>\n</header>"), excerpt(html, from: "id=\"runs\"", to: "</header>") ?? "no runs section")
        XCTAssertTrue(html.contains("<li class=\"toc-step toc-h2 summary\"><a href=\"#runs\"><span class=\"stage\">summary</span> All runs</a></li>"))
        XCTAssertFalse(html.contains("line 0"))

        // Changing one run's parameter through its id reruns that run and what reads it, nothing else.
        let second = try render(path, output, ["sgd.epochs=1", "seed=5"])
        let cached = second.steps.map { "\($0.stage):\($0.cached ? "cached" : "ran")" }
        XCTAssertEqual(cached, ["load:cached", "preprocess:cached", "build:cached", "train:cached", "evaluate:cached",
                                "build:cached", "train:ran", "evaluate:ran", "save:ran"])
    }

    func testTrainAfterTrainIsACheckErrorUnlessItContinues() throws {
        let folder = try temporaryFolder(self)
        let text = Self.twoRuns.replacingOccurrences(of: "```build\nname: cnn_sgd\n\(smallLayers)\n```\n\n", with: "")
        let path = try writeNotebook(text, named: "again.md", in: folder)
        let adam = fence(before: "id: adam", in: text), sgd = fence(before: "id: sgd", in: text)
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: [])) { error in
            XCTAssertEqual("\(error)", "\(path):\(sgd):1: train: this train step follows the train step on line \(adam) with no build step "
                + "in between, so it would go on training that model from its trained weights: add a build step, or "
                + "`continue: true` to keep training the same model")
        }
        // render refuses it the same way: exit 2, nothing written.
        let refused = try mnistbook(["render", path], in: folder)
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("again.md:\(sgd):1: train: this train step follows the train step on line \(adam)"), refused.stderr)

        let continued = text.replacingOccurrences(of: "id: sgd\n", with: "id: sgd\ncontinue: true\n")
        try continued.write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try render(path, folder.appendingPathComponent("out"), [])
        let html = try String(contentsOf: outcome.reportURL, encoding: .utf8)
        XCTAssertTrue(html.contains("continue: true — this step goes on training the model the train step on line \(adam) trained"))
        let runs = try XCTUnwrap(try readJSON(outcome.metricsURL)["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["continues"] as? Int }, [nil, adam])
        XCTAssertTrue(html.contains("sgd (continues line \(adam))"))
    }

    func testCheckListsTheIDs() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(Self.twoRuns, named: "lab.md", in: folder)
        let result = try mnistbook(["check", path], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        let adam = fence(before: "id: adam", in: Self.twoRuns), sgd = fence(before: "id: sgd", in: Self.twoRuns)
        XCTAssertEqual(result.stdout, "\(path): 9 steps, no problems found\nstep ids: adam (train, line \(adam)), sgd (train, line \(sgd))\n")
        let duplicate = try writeNotebook(Self.twoRuns.replacingOccurrences(of: "id: sgd", with: "id: adam"), named: "dup.md", in: folder)
        let refused = try mnistbook(["check", duplicate], in: folder)
        XCTAssertEqual(refused.stderr, "\(duplicate):\(sgd + 1):1: train: id 'adam' is already the id of the train step on line \(adam); give each step its own id\n")
        let unknown = try mnistbook(["check", path, "--set", "adm.epochs=2"], in: folder)
        XCTAssertEqual(unknown.stderr, "--set adm.epochs=2: unknown stage or step id 'adm' (did you mean 'adam'?); the notebook's step ids "
            + "are adam, sgd, the stages load, eda, preprocess, build, tune, train, evaluate, error-analysis, save, inspect\n")
    }

    /// `--set build.<layer>.<parameter>`: a layer's setting from the command line, checked like any
    /// value, changes the model (here its parameter count) and reruns build.
    func testLayerOverrideChangesTheParameterCount() throws {
        let folder = try temporaryFolder(self)
        let text = """
            ```load
            dataset: mnist
            limit_train: 100
            limit_test: 100
            ```

            ```build
            \(smallLayers)
            ```
            """
        let path = try writeNotebook(text, named: "layers.md", in: folder)
        let output = folder.appendingPathComponent("out")
        let plain = try readJSON(try render(path, output, []).metricsURL)
        XCTAssertEqual(plain["params_total"] as? Int, 50_650)
        // dense1: 1,568 × 16 + 16 = 25,104 and output 16 × 10 + 10 = 170, instead of 50,208 and 330.
        let narrower = try render(path, output, ["build.dense1.units=16"])
        XCTAssertEqual(try readJSON(narrower.metricsURL)["params_total"] as? Int, 80 + 32 + 25_104 + 170)
        XCTAssertEqual(narrower.steps.map(\.cached), [true, false])
        // The index form the issue tried: layers counted from 0 (5 is the dropout layer).
        let byIndex = try render(path, output, ["build.layers.5.rate=0.1", "build.layers.4.units=16"])
        XCTAssertEqual(try readJSON(byIndex.metricsURL)["params_total"] as? Int, 80 + 32 + 25_104 + 170)
        let html = try String(contentsOf: byIndex.reportURL, encoding: .utf8)
        XCTAssertTrue(html.contains("rate 0.1"), "the summary's settings column shows the new rate")
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: ["build.dense1.units=0"])) { error in
            XCTAssertEqual("\(error)", "--set build.dense1.units=0: 'dense1.units' must be in [1, 65536], got 0")
        }
    }

    /// `train.repeat: 3`: three seeds, each scored; mean and sample standard deviation recomputed here from
    /// the per-seed results; the run table judges the next run against that spread.
    func testRepeatReportsMeanAndSpreadOfTheSeeds() throws {
        let folder = try temporaryFolder(self)
        // Two epochs, so the band has an area to draw.
        let text = Self.twoRuns
            .replacingOccurrences(of: "id: adam\nepochs: 1\n", with: "id: adam\nrepeat: 3\nepochs: 2\n")
            .replacingOccurrences(of: "limit_train: 1000", with: "limit_train: 600")
        let path = try writeNotebook(text, named: "noise.md", in: folder)
        let outcome = try render(path, folder.appendingPathComponent("out"), [])
        let metrics = try readJSON(outcome.metricsURL)
        let runs = try XCTUnwrap(metrics["runs"] as? [[String: Any]])
        let repeated = try XCTUnwrap(runs[0]["repeat"] as? [String: Any])
        let seeds = try XCTUnwrap(repeated["seeds"] as? [[String: Any]])
        XCTAssertEqual(seeds.map { $0["seed"] as? Int }, [3, 1003, 2003])
        let accuracies = seeds.compactMap { $0["test_accuracy"] as? Double }
        XCTAssertEqual(accuracies.count, 3)
        let mean = accuracies.reduce(0, +) / 3
        let sd = (accuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
        let reported = try XCTUnwrap(repeated["test_accuracy"] as? [String: Double])
        XCTAssertEqual(reported["mean"]!, mean, accuracy: 1e-12)
        XCTAssertEqual(reported["sd"]!, sd, accuracy: 1e-12)
        XCTAssertGreaterThan(sd, 0, "three seeds of a 1-epoch model on 480 images do not agree to the digit")
        // The evaluate after it scores the first seed's model: the same number as that seed's row.
        XCTAssertEqual(runs[0]["test_accuracy"] as? Double ?? -1, accuracies[0], accuracy: 1e-12)
        XCTAssertTrue(metrics["test_accuracy_sd"] is NSNull, "the last run (sgd) measured no spread")
        let html = try String(contentsOf: outcome.reportURL, encoding: .utf8)
        XCTAssertTrue(html.contains("Every seed"))
        let table = try XCTUnwrap(excerpt(html, from: "id=\"runs\"", to: "</table>"))
        let sgd = try XCTUnwrap(runs[1]["test_accuracy"] as? Double)
        let within = abs(sgd - mean) < 2 * sd
        XCTAssertTrue(table.contains(within ? "within seed noise" : "beyond seed noise"), table)
        try checkSeedBand(html, seeds: seeds)
    }

    /// The report's seed chart: the mean line over one shaded polygon of 2 × epochs points, mean + sd from
    /// the first epoch to the last then mean − sd back, recomputed here from each seed's val_accuracy curve
    /// in metrics.json; the y-values read back through the chart's own tick labels.
    func checkSeedBand(_ html: String, seeds: [[String: Any]]) throws {
        let curves = seeds.compactMap { ($0["history"] as? [String: Any])?["val_accuracy"] as? [Double] }
        XCTAssertEqual(curves.map(\.count), [2, 2, 2])
        let n = Double(curves.count)
        let means = (0..<2).map { e in curves.map { $0[e] }.reduce(0, +) / n }
        let sds = (0..<2).map { e in (curves.map { ($0[e] - means[e]) * ($0[e] - means[e]) }.reduce(0, +) / (n - 1)).squareRoot() }
        XCTAssertTrue(sds.contains { $0 > 0 }, "three seeds' curves do not coincide: \(curves)")
        let chart = try XCTUnwrap(excerpt(html, from: "aria-label=\"val_accuracy over 3 seeds\"", to: "</svg>"))
        XCTAssertTrue(chart.contains(">mean ± 1 sd over 3 seeds</text>"), "the legend names the band")
        XCTAssertFalse(chart.contains("mean − sd"), "no edge lines: the spread is the band")
        let polygons = captures(#"<polygon class="band" points="([^"]+)""#, in: chart)
        XCTAssertEqual(polygons.count, 1, chart)
        let points = try XCTUnwrap(polygons.first).split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
        XCTAssertEqual(points.map(\.count), [2, 2, 2, 2])
        guard points.count == 4 else { return }
        // The mean line is drawn after the band, so it sits on top.
        XCTAssertLessThan(try XCTUnwrap(chart.range(of: "<polygon")).lowerBound, try XCTUnwrap(chart.range(of: "<path class=\"line\"")).lowerBound)
        // Pixel y → value, through the first and last y-axis ticks (a grid line and its label).
        let ticks = try NSRegularExpression(pattern: ##"<line x1="[0-9.]+" y1="([0-9.]+)" x2="[0-9.]+" y2="[0-9.]+" stroke="#e6e8eb"[^>]*/>\n<text [^>]*text-anchor="end">([-0-9.]+)</text>"##)
            .matches(in: chart, range: NSRange(chart.startIndex..., in: chart)).map { match -> (y: Double, value: Double) in
                let ns = chart as NSString
                return (Double(ns.substring(with: match.range(at: 1)))!, Double(ns.substring(with: match.range(at: 2)))!)
            }
        let first = try XCTUnwrap(ticks.first), last = try XCTUnwrap(ticks.last)
        XCTAssertGreaterThan(ticks.count, 2)
        func value(_ y: Double) -> Double { first.value + (y - first.y) * (last.value - first.value) / (last.y - first.y) }
        let expected = [means[0] + sds[0], means[1] + sds[1], means[1] - sds[1], means[0] - sds[0]]
        for (point, want) in zip(points, expected) { XCTAssertEqual(value(point[1]), want, accuracy: 1e-4, "\(points)") }
        XCTAssertEqual(points[0][0], points[3][0])
        XCTAssertEqual(points[1][0], points[2][0])
        XCTAssertLessThan(points[0][0], points[1][0])
    }

    func testRepeatIsBoundedAndRefusedWithAnEnsemble() throws {
        let folder = try temporaryFolder(self)
        let adam = fence(before: "id: adam", in: Self.twoRuns)
        for (change, message) in [
            ("repeat: 21", "'repeat' must be in [1, 20], got 21"),
            ("repeat: 3\nensemble: {members: 2}", "train: repeat and ensemble in one step: repeat measures how far single models move "
                + "with the seed, an ensemble averages several into one model; use repeat in one train step and ensemble in another"),
        ] {
            let path = try writeNotebook(Self.twoRuns.replacingOccurrences(of: "id: adam\n", with: "id: adam\n\(change)\n"),
                                         named: "bad.md", in: folder)
            XCTAssertThrowsError(try checkNotebook(path: path, overrides: [])) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(path):\(message.hasPrefix("train") ? adam : adam + 2):"), "\(error)")
                XCTAssertTrue("\(error)".hasSuffix(message), "\(error)")
            }
        }
    }

    /// A sweep of three values, each render measuring its seed spread (`repeat: 2`): the page's last row of
    /// headline metrics marks each value's test accuracy against the first value's, by compare's rule
    /// (within seed noise when smaller than twice the larger sd), recomputed here from each metrics.json.
    func testSweepOfThreeValuesMarksEachAgainstTheFirstBySeedNoise() throws {
        let work = try temporaryFolder(self)
        let path = try writeNotebook(tinyNotebook(extraTrain: "repeat: 2"), named: "tiny.md", in: work)
        let values = ["0.001", "0.003", "0.01"]
        let run = try mnistbook(["render", path, "--sweep", "train.learning_rate=" + values.joined(separator: ","), "--quiet"], in: work)
        XCTAssertEqual(run.status, 0, run.stderr)
        let base = work.appendingPathComponent("output/tiny")
        let metrics = try values.map { try readJSON(base.appendingPathComponent("sweep-learning_rate-\($0)/metrics.json")) }
        let accuracies = try metrics.map { try XCTUnwrap($0["test_accuracy"] as? Double) }
        let sds = try metrics.map { try XCTUnwrap($0["test_accuracy_sd"] as? Double) }
        func cell(_ i: Int) -> String {
            let d = accuracies[i] - accuracies[0], larger = max(sds[0], sds[i])
            return (d > 0 ? "+" : d < 0 ? "−" : "±") + String(format: "%.4f", abs(d))
                + (abs(d) < 2 * larger ? " (within seed noise" : " (beyond seed noise") + ": 2 × sd = \(String(format: "%.4f", 2 * larger)))"
        }
        let page = try String(contentsOf: base.appendingPathComponent("sweep-learning_rate.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("<figcaption>Headline metrics (last row: each run against A)</figcaption>"), page)
        XCTAssertTrue(page.contains("<tr><td>test accuracy − A</td><td class=\"num\">—</td><td class=\"num\">\(cell(1))</td>"
            + "<td class=\"num\">\(cell(2))</td></tr>"), excerpt(page, from: "Headline metrics", to: "</table>") ?? page)
        // Without a measured spread the row is left out: a bare difference would claim nothing the table does not show.
        let plain = try writeNotebook(tinyNotebook(), named: "plain.md", in: work)
        XCTAssertEqual(try mnistbook(["render", plain, "--sweep", "train.learning_rate=" + values.joined(separator: ","), "--quiet"], in: work).status, 0)
        let plainPage = try String(contentsOf: work.appendingPathComponent("output/plain/sweep-learning_rate.html"), encoding: .utf8)
        XCTAssertFalse(plainPage.contains("test accuracy − A"))
        XCTAssertTrue(plainPage.contains("<figcaption>Headline metrics</figcaption>"))
    }

    /// compare marks B − A of the test accuracy against the seed spread a render measured with train.repeat.
    func testCompareMarksADifferenceWithinSeedNoise() throws {
        let folder = try temporaryFolder(self)
        let a = folder.appendingPathComponent("a"), b = folder.appendingPathComponent("b")
        _ = try render(try writeNotebook(tinyNotebook(extraTrain: "repeat: 3"), named: "a.md", in: folder), a, [])
        _ = try render(try writeNotebook(tinyNotebook(learningRate: "0.002"), named: "b.md", in: folder), b, [])
        let metricsA = try readJSON(a.appendingPathComponent("metrics.json")), metricsB = try readJSON(b.appendingPathComponent("metrics.json"))
        let sd = try XCTUnwrap(metricsA["test_accuracy_sd"] as? Double)
        let difference = try XCTUnwrap(metricsB["test_accuracy"] as? Double) - (try XCTUnwrap(metricsA["test_accuracy"] as? Double))
        let result = try mnistbook(["compare", a.path, b.path, "-o", "cmp.html"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        let html = try String(contentsOf: folder.appendingPathComponent("cmp.html"), encoding: .utf8)
        let verdict = abs(difference) < 2 * sd ? "within seed noise" : "beyond seed noise"
        XCTAssertTrue(html.contains("\(verdict): 2 × sd = \(String(format: "%.4f", 2 * sd))"), html)
    }
}
