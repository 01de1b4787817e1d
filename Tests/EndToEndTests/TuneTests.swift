// The tune step end to end on a small subset: each strategy's trials, reproducibility per seed,
// Hyperband's published schedule, resuming an interrupted tune, a prose edit that reruns no trial,
// applying the best values to the train step, and check's errors for a bad space.
import Foundation
import Notebook
import Stages
import XCTest

/// A tiny notebook with a tune step between build and train (300 training images, 100 test).
func tuneNotebook(_ tune: String, seed: Int = 5, limitTrain: Int = 300) -> String {
    let hidden = ["dense: {units: 16, activation: relu, name: dense1}", "dropout: {rate: 0.2, name: drop}"]
    return """
    ---
    title: Tune
    seed: \(seed)
    ---

    # Tuning

    \(denseSteps(limitTrain: limitTrain, hidden: hidden))

    ```tune
    \(tune)
    ```

    ```train
    learning_rate: 0.001
    batch_size: 32
    epochs: 1
    ```

    ```evaluate
    ```
    """
}

final class TuneTests: XCTestCase {
    struct Rendered {
        var metrics: [String: Any]
        var html: String
        var tune: [String: Any] { metrics["tune"] as? [String: Any] ?? [:] }
        var trials: [[String: Any]] { tune["trials"] as? [[String: Any]] ?? [] }
        func values(_ key: String) -> [String] { trials.map { "\(($0["values"] as? [String: Any])?[key] ?? "-")" } }
        func step(_ stage: String) -> [String: Any] {
            (metrics["steps"] as? [[String: Any]] ?? []).first { $0["stage"] as? String == stage } ?? [:]
        }
    }

    func render(_ text: String, in folder: URL, output: String = "out", reuseCache: Bool = true) throws -> Rendered {
        let path = try writeNotebook(text, named: "tune.md", in: folder)
        let outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: folder.appendingPathComponent(output),
                                                  reuseCache: reuseCache)
        XCTAssertNil(outcome.failedStep?.error)
        return Rendered(metrics: try readJSON(outcome.metricsURL), html: try String(contentsOf: outcome.reportURL, encoding: .utf8))
    }

    func testGridVisitsEveryCombinationAndApplyChangesTheTrainStep() throws {
        let work = try temporaryFolder(self)
        let r = try render(tuneNotebook("""
            strategy: grid
            epochs: 1
            space:
              train.learning_rate: [0.001, 0.01]
              build.dense1.units: [8, 16, 24]
            """), in: work)
        XCTAssertEqual(r.trials.count, 6)
        let pairs = Set(zip(r.values("train.learning_rate"), r.values("build.dense1.units")).map { "\($0)/\($1)" })
        XCTAssertEqual(pairs, ["0.001/8", "0.001/16", "0.001/24", "0.01/8", "0.01/16", "0.01/24"])
        let best = try XCTUnwrap(r.tune["best"] as? [String: Any])
        let bestValues = try XCTUnwrap(best["values"] as? [String: Any])
        // The best objective is the highest of all trials.
        let objectives = r.trials.compactMap { $0["objective"] as? Double }
        XCTAssertEqual(best["objective"] as? Double, objectives.max())
        // apply: the train step ran with the best learning rate, and its chip says so.
        let trainParams = try XCTUnwrap(r.step("train")["params"] as? [String: Any])
        XCTAssertEqual(trainParams["learning_rate"] as? Double, bestValues["train.learning_rate"] as? Double)
        XCTAssertTrue(r.html.contains("<span class=\"k\">learning_rate</span> <span class=\"v\">\(bestValues["train.learning_rate"]!)</span> <span class=\"mark\">tuned</span>"))
        // …and the model has the best dense1 width: parameters of flatten→dense1→output.
        let units = try XCTUnwrap(bestValues["build.dense1.units"] as? Int)
        XCTAssertEqual(r.metrics["params_total"] as? Int, 784 * units + units + units * 10 + 10)
    }

    func testRandomIsReproduciblePerSeedAndAProseEditRerunsNoTrial() throws {
        let work = try temporaryFolder(self)
        let tune = """
            strategy: random
            max_trials: 3
            epochs: 1
            space:
              train.learning_rate: {log_uniform: [0.0001, 0.01]}
              train.batch_size: [16, 32, 64]
            """
        let a = try render(tuneNotebook(tune), in: work, output: "a")
        let b = try render(tuneNotebook(tune), in: work, output: "b")
        XCTAssertEqual(a.trials.count, 3)
        XCTAssertEqual(a.values("train.learning_rate"), b.values("train.learning_rate"))
        XCTAssertEqual(a.values("train.batch_size"), b.values("train.batch_size"))
        for rate in a.values("train.learning_rate").compactMap(Double.init) { XCTAssertTrue((0.0001...0.01).contains(rate)) }
        let other = try render(tuneNotebook(tune, seed: 6), in: work, output: "c")
        XCTAssertNotEqual(a.values("train.learning_rate"), other.values("train.learning_rate"))

        // A prose edit: the tune step comes from the cache, no trial runs.
        let edited = try render(tuneNotebook(tune).replacingOccurrences(of: "# Tuning", with: "# Tuning, reworded"), in: work, output: "a")
        XCTAssertEqual(edited.step("tune")["cached"] as? Bool, true)
        XCTAssertEqual(edited.values("train.learning_rate"), a.values("train.learning_rate"))
    }

    func testHyperbandFollowsKerasTunersSchedule() throws {
        func shape(_ s: HyperbandSchedule) -> [[[Int]]] { s.brackets.map { $0.rounds.map { [$0.trials, $0.epochs] } } }
        // keras_tuner HyperbandOracle._get_size/_get_epochs for these settings (computed with its formulas in Python).
        XCTAssertEqual(shape(HyperbandSchedule(maxEpochs: 9, factor: 3)), [[[9, 1], [3, 3], [1, 9]], [[5, 3], [2, 9]], [[3, 9]]])
        XCTAssertEqual(shape(HyperbandSchedule(maxEpochs: 81, factor: 3)), [
            [[81, 1], [27, 3], [9, 9], [3, 27], [1, 81]], [[34, 3], [12, 9], [4, 27], [2, 81]],
            [[15, 9], [5, 27], [2, 81]], [[8, 27], [3, 81]], [[5, 81]]])
        XCTAssertEqual(shape(HyperbandSchedule(maxEpochs: 10, factor: 2)), [
            [[10, 2], [5, 3], [3, 5], [2, 10]], [[7, 3], [4, 5], [2, 10]], [[5, 5], [3, 10]], [[5, 10]]])
        // Li et al. 2017's most aggressive bracket for R = 81, η = 3: 81 trials of 1 epoch down to 1 of 81.
        XCTAssertEqual(HyperbandSchedule(maxEpochs: 81, factor: 3).brackets[0].rounds.map(\.trials), [81, 27, 9, 3, 1])

        let work = try temporaryFolder(self)
        let r = try render(tuneNotebook("""
            strategy: hyperband
            max_epochs: 3
            factor: 3
            space:
              train.learning_rate: {log_uniform: [0.0001, 0.01]}
            """), in: work)
        // max_epochs 3, factor 3: bracket 1 = 3 trials of 1 epoch, the best continued to 3; bracket 0 = 2 trials of 3.
        XCTAssertEqual(r.trials.map { $0["epochs"] as? Int }, [1, 1, 1, 3, 3, 3])
        XCTAssertEqual(r.trials.map { $0["bracket"] as? Int }, [1, 1, 1, 1, 0, 0])
        let firstRound = r.trials.prefix(3).map { ($0["trial"] as! Int, $0["objective"] as! Double) }
        let bestFirst = firstRound.max { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) }!.0
        XCTAssertEqual(r.trials[3]["continues"] as? Int, bestFirst)
        XCTAssertEqual(r.values("train.learning_rate")[3], r.values("train.learning_rate")[bestFirst - 1])
    }

    func testAnInterruptedTuneResumesAfterItsLastFinishedTrial() throws {
        let work = try temporaryFolder(self)
        let text = tuneNotebook("""
            strategy: grid
            epochs: 2
            space:
              train.learning_rate: [0.0005, 0.001, 0.002, 0.004]
            """, limitTrain: 3000)
        let path = try writeNotebook(text, named: "tune.md", in: work)
        // The render kills itself (SIGKILL) right after trial 2 is stored: an interruption at a known point, never a race.
        let killed = try mnistbook(["render", path, "-o", "out"], in: work, environment: ["MNISTBOOK_KILL_AFTER_TRIAL": "2"])
        XCTAssertEqual(killed.status, SIGKILL, "killed by its signal: \(killed.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("out/tune.html").path), "the render was killed before its end")

        let resumed = try mnistbook(["render", path, "-o", "out"], in: work)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("trial 1/4 from the interrupted run"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("trial 2/4 from the interrupted run"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("trial 3/4: learning_rate 0.002, 2 epochs"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("trial 4/4: learning_rate 0.004, 2 epochs"), resumed.stdout)
        // Same results as a tune that was never interrupted.
        let fresh = try mnistbook(["render", path, "-o", "fresh", "--quiet"], in: work)
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        func trials(_ folder: String) throws -> [String] {
            let tune = try XCTUnwrap(try readJSON(work.appendingPathComponent("\(folder)/metrics.json"))["tune"] as? [String: Any])
            return (tune["trials"] as? [[String: Any]] ?? []).map { "\($0["values"]!) \($0["objective"]!)" }
        }
        XCTAssertEqual(try trials("out"), try trials("fresh"))
    }

    func testCheckNamesEachBadSpaceEntryAtItsPosition() throws {
        let work = try temporaryFolder(self)
        let text = tuneNotebook("""
            strategy: grid
            space:
              train.learning_rat: [0.1]
              build.dense2.units: [8]
              build.dense1.unitz: [8]
              train.batch_size: [0, 32]
              build.drop.rate: {uniform: [0.1, 0.5]}
              load.limit_train: [10]
            """)
        let path = try writeNotebook(text, named: "tune.md", in: work)
        let line = lineNumber(of: "train.learning_rat:", in: text)
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: [])) { error in
            XCTAssertEqual("\(error)".split(separator: "\n").map(String.init), [
                "\(path):\(line):3: tune: unknown parameter 'learning_rat' of train (did you mean 'learning_rate'?)",
                "\(path):\(line + 1):3: tune: no layer named 'dense2' in the 'build' step on line \(lineNumber(of: "```build", in: text)) (did you mean 'dense1'?)",
                "\(path):\(line + 2):3: tune: layer 'dense1' (dense) has no parameter 'unitz' (did you mean 'units'?)",
                "\(path):\(line + 3):22: tune: 'train.batch_size' must be in [1, 65536], got 0",
                "\(path):\(line + 4):3: tune: grid search needs a list of values for 'build.drop.rate', not a range",
                "\(path):\(line + 5):3: tune: 'load.limit_train': only parameters of the 'train' step and of the 'build' step's layers can be tuned",
            ])
        }
    }

    /// `build.layers.<index>.<param>` in a space, as `--set` takes it: checked like the by-name form (a missing
    /// index, an unknown parameter, a value out of range, each at its position), the same setting under both
    /// names refused, and a grid over it changes the model as by name would.
    func testALayerByIndexIsSearchedLikeByName() throws {
        let work = try temporaryFolder(self)
        let bad = tuneNotebook("""
            strategy: grid
            space:
              build.layers.7.rate: [0.1]
              build.layers.2.rat: [0.1]
              build.layers.x.rate: [0.1]
              build.layers.2.rate: [0.1, 1.5]
              build.dense1.units: [8]
              build.layers.1.units: [16]
            """)
        let path = try writeNotebook(bad, named: "tune.md", in: work)
        let line = lineNumber(of: "build.layers.7.rate:", in: bad), build = lineNumber(of: "```build", in: bad)
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: [])) { error in
            XCTAssertEqual("\(error)".split(separator: "\n").map(String.init), [
                "\(path):\(line):3: tune: the build step on line \(build) has 4 layers, numbered 0…3; there is no layer 7",
                "\(path):\(line + 1):3: tune: layer 'drop' (dropout) has no parameter 'rat' (did you mean 'rate'?)",
                "\(path):\(line + 2):3: tune: 'build.layers.x.rate': 'x' is not a layer index; name a layer as "
                    + "build.layers.INDEX.parameter (counting from 0) or build.LAYER.parameter",
                "\(path):\(line + 3):30: tune: 'build.layers.2.rate' must be in [0, 1), got 1.5",
                "\(path):\(line + 5):3: tune: 'build.layers.1.units' is 'build.dense1.units' again (layer 1, 'dense1'): "
                    + "search each parameter under one name",
            ])
        }

        let r = try render(tuneNotebook("""
            strategy: grid
            epochs: 1
            space:
              build.layers.1.units: [8, 24]
            """), in: work)
        XCTAssertEqual(r.values("build.layers.1.units"), ["8", "24"])
        let best = try XCTUnwrap((r.tune["best"] as? [String: Any])?["values"] as? [String: Any])
        let units = try XCTUnwrap(best["build.layers.1.units"] as? Int)
        // flatten → dense1 (the tuned width) → output.
        XCTAssertEqual(r.metrics["params_total"] as? Int, 784 * units + units + units * 10 + 10)
    }
}
