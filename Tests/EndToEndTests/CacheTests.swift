// The step cache, end to end: which edits reuse which steps, that reused results are exact, that a
// damaged entry is noticed and rebuilt, and the CLI's `render --no-cache` and `watch`.
import Datasets
import Foundation
import NeuralNet
import Stages
import XCTest

final class CacheTests: XCTestCase {
    /// One render of a notebook file and what it reported.
    struct Render {
        var outcome: RenderOutcome
        var html: String
        var metrics: [String: Any]
        /// Epochs `fit` finished during the render: none when train came from the cache.
        var epochsTrained: Int
        var warnings: [String]
        /// The progress lines ("loading mnist", "evaluating on …").
        var messages: [String] = []

        var ran: [String] { outcome.steps.filter { !$0.cached }.map(\.stage) }
        var cached: [String] { outcome.steps.filter(\.cached).map(\.stage) }
        func key(_ stage: String) -> String? { outcome.steps.first { $0.stage == stage }?.cacheKey }
    }

    /// A notebook file and its output folder in a fresh temporary folder.
    struct Setup {
        var folder: URL
        var path: String
        var output: URL { folder.appendingPathComponent("out") }

        func write(_ text: String) throws {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }

        func edit(_ old: String, _ new: String) throws {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            precondition(text.contains(old), "the notebook has no '\(old)'")
            try write(text.replacingOccurrences(of: old, with: new))
        }

        func render(overrides: [String] = [], reuseCache: Bool = true, output: URL? = nil) throws -> Render {
            var epochs = 0
            var warnings: [String] = []
            var messages: [String] = []
            var training = TrainingObserver()
            training.epochEnded = { _ in epochs += 1 }
            let observer = RunObserver(training: training, message: { messages.append($0) }, warning: { warnings.append($0) })
            let outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: output ?? self.output, overrides: overrides,
                                                      reuseCache: reuseCache, observer: observer)
            return Render(outcome: outcome, html: try String(contentsOf: outcome.reportURL, encoding: .utf8),
                          metrics: try readJSON(outcome.metricsURL), epochsTrained: epochs, warnings: warnings, messages: messages)
        }
    }

    func setup(_ text: String = smallNotebook()) throws -> Setup {
        let folder = try temporaryFolder(self)
        let setup = Setup(folder: folder, path: folder.appendingPathComponent("small.md").path)
        try setup.write(text)
        return setup
    }

    /// The first render of a fresh folder: every step runs.
    func firstRender(_ s: Setup) throws -> Render {
        let first = try s.render()
        XCTAssertFalse(first.outcome.failed, "\(first.outcome.failedStep?.error ?? "")")
        XCTAssertEqual(first.ran, lifecycleStages)
        XCTAssertEqual(first.cached, [])
        XCTAssertEqual(first.epochsTrained, 1)
        return first
    }

    /// The report with what may differ between a run and a cached render taken out: the render time,
    /// each step's status and time.
    func normalised(_ html: String) -> String {
        var text = html
        for (pattern, replacement) in [
            (#"<dt>rendered</dt><dd>[^<]*</dd>"#, "<dt>rendered</dt><dd></dd>"),
            (#"status-(ran|cached)"#, "status-"),
            (#"<span class="toc-meta">(ran|cached)(, with warnings)?</span>"#, ""),
            (#" · [0-9.]+ s · <span class="status">[^<]*</span>"#, ""),
        ] {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    func stepsJSON(_ r: Render) -> [[String: Any]] { r.metrics["steps"] as? [[String: Any]] ?? [] }

    // MARK: which edits reuse what

    func testProseEditReusesEveryStepWithoutTrainingAndTheReportIsUnchanged() throws {
        let s = try setup()
        let first = try firstRender(s)
        let files = try outputFiles(s.output)
        try s.edit("Digits, **ten** classes.", "Digits, **ten** classes (a typo fixed the morning of the class).")

        let second = try s.render()
        XCTAssertEqual(second.cached, lifecycleStages)
        XCTAssertEqual(second.epochsTrained, 0, "no training on a prose edit")
        XCTAssertTrue(second.outcome.seconds < first.outcome.seconds, "\(second.outcome.seconds) s vs \(first.outcome.seconds) s")
        XCTAssertEqual(normalised(second.html),
                       normalised(first.html).replacingOccurrences(of: "classes.", with: "classes (a typo fixed the morning of the class)."))
        for stage in lifecycleStages {
            XCTAssertEqual(second.key(stage), first.key(stage), stage)
        }
        // Each step says it is cached and when it was computed, in the report and in metrics.json.
        let train = try XCTUnwrap(stepSection(second.html, stage: "train"))
        // The small notebook's 15 steps leave BatchNorm's moving averages unsettled: a warning, kept from the cache.
        XCTAssertTrue(train.contains("class=\"step status-cached warned\""))
        XCTAssertTrue(train.contains("<span class=\"status\">cached, computed "), train)
        for (before, after) in zip(stepsJSON(first), stepsJSON(second)) {
            XCTAssertEqual(after["cached"] as? Bool, true)
            XCTAssertEqual(before["cached"] as? Bool, false)
            XCTAssertEqual(after["computed_at"] as? String, before["computed_at"] as? String)
        }
        // The numbers come back as the run left them, and so do the files, byte for byte.
        for name in ["test_accuracy", "test_loss", "params_total", "epochs_run", "best_epoch", "train_samples", "train_seconds"] {
            XCTAssertEqual(second.metrics[name] as? Double, first.metrics[name] as? Double, name)
        }
        XCTAssertEqual(try outputFiles(s.output), files)
    }

    func testEvaluateEditKeepsTheTrainedModelAndRerunsTheStepsAfterIt() throws {
        let s = try setup()
        let first = try firstRender(s)
        try s.edit("```evaluate\n```", "```evaluate\nsplit: validation\n```")

        let second = try s.render()
        XCTAssertEqual(second.cached, ["load", "eda", "preprocess", "build", "train"])
        XCTAssertEqual(second.ran, ["evaluate", "error-analysis", "save"])
        XCTAssertEqual(second.epochsTrained, 0, "changing evaluate never retrains")
        XCTAssertEqual(second.key("train"), first.key("train"))
        XCTAssertNotEqual(second.key("error-analysis"), first.key("error-analysis"), "the key chain changes after evaluate")
        let evaluate = try XCTUnwrap(stepSection(second.html, stage: "evaluate"))
        XCTAssertTrue(evaluate.contains("Confusion matrix (validation set)"))

        // The model restored from the cache is the trained one, exactly: a render that runs every step agrees.
        let fresh = try s.render(reuseCache: false, output: s.folder.appendingPathComponent("fresh"))
        XCTAssertEqual(fresh.cached, [])
        XCTAssertEqual(fresh.metrics["val_accuracy"] as? Double, second.metrics["val_accuracy"] as? Double)
        XCTAssertEqual(fresh.metrics["val_loss"] as? Double, second.metrics["val_loss"] as? Double)
        for stage in ["evaluate", "error-analysis"] {
            XCTAssertEqual(try XCTUnwrap(stepSection(fresh.html, stage: stage)).replacingOccurrences(of: #" · [0-9.]+ s · "#, with: "", options: .regularExpression),
                           try XCTUnwrap(stepSection(second.html, stage: stage)).replacingOccurrences(of: #" · [0-9.]+ s · "#, with: "", options: .regularExpression),
                           stage)
        }
    }

    func testEDAEditRerunsOnlyEDA() throws {
        let s = try setup()
        let first = try firstRender(s)
        try s.edit("```eda\nsamples: 10\n```", "```eda\nsamples: 5\nmean_images: false\n```")

        let second = try s.render()
        XCTAssertEqual(second.ran, ["eda"], "eda feeds nothing forward")
        XCTAssertEqual(second.cached, ["load", "preprocess", "build", "train", "evaluate", "error-analysis", "save"])
        XCTAssertEqual(second.epochsTrained, 0, "an eda edit never retrains")
        for stage in lifecycleStages where stage != "eda" {
            XCTAssertEqual(second.key(stage), first.key(stage), stage)
        }
        XCTAssertTrue(try XCTUnwrap(stepSection(second.html, stage: "eda")).contains("The first 5 training images"))
    }

    func testParameterThatOnlyChangesTextRerunsOnlyItsStep() throws {
        let s = try setup()
        let first = try firstRender(s)
        // The diagram's direction changes build's picture, not its model: nothing after build runs again.
        try s.edit("diagram: {rankdir: LR}", "diagram: {rankdir: TB, show_shapes: false}")
        let second = try s.render()
        XCTAssertEqual(second.ran, ["build"])
        XCTAssertEqual(second.epochsTrained, 0, "a diagram option never retrains")
        XCTAssertEqual(second.key("train"), first.key("train"))

        // So does the number of misclassified images shown: save, which reads error-analysis's scores, stays cached.
        try s.edit("show: 10", "show: 3")
        let third = try s.render()
        XCTAssertEqual(third.ran, ["error-analysis"])
        XCTAssertEqual(third.epochsTrained, 0)
        XCTAssertEqual(third.key("save"), first.key("save"))
        XCTAssertTrue(try XCTUnwrap(stepSection(third.html, stage: "error-analysis")).contains("the first 3 in order"))
    }

    func testEpochsEditRetrainsAndRerunsEveryStepAfterTrain() throws {
        let s = try setup()
        let first = try firstRender(s)
        let model = try Data(contentsOf: s.output.appendingPathComponent("small_cnn.mnistbook"))
        try s.edit("epochs: 1", "epochs: 2")

        let second = try s.render()
        XCTAssertEqual(second.cached, ["load", "eda", "preprocess", "build"])
        XCTAssertEqual(second.ran, ["train", "evaluate", "error-analysis", "save"])
        XCTAssertEqual(second.epochsTrained, 2)
        // The cached load step reads the dataset again for train, and says so, not "loading mnist" as if train loaded it.
        XCTAssertEqual(second.messages.first, "reading mnist again for the cached load step on line 12")
        XCTAssertFalse(second.messages.contains("loading mnist"), "\(second.messages)")
        XCTAssertTrue(first.messages.contains("loading mnist"), "\(first.messages)")
        XCTAssertEqual(second.metrics["epochs_run"] as? Int, 2)
        XCTAssertEqual(second.key("build"), first.key("build"))
        for stage in ["train", "evaluate", "error-analysis", "save"] {
            XCTAssertNotEqual(second.key(stage), first.key(stage), stage)
        }

        // Going back to one epoch finds the first training again: nothing runs.
        try s.edit("epochs: 2", "epochs: 1")
        let third = try s.render()
        XCTAssertEqual(third.cached, lifecycleStages)
        XCTAssertEqual(third.metrics["epochs_run"] as? Int, 1)
        XCTAssertEqual(third.metrics["test_accuracy"] as? Double, first.metrics["test_accuracy"] as? Double)
        XCTAssertEqual(try Data(contentsOf: s.output.appendingPathComponent("small_cnn.mnistbook")), model,
                       "the cached save step puts its model file back")
    }

    func testSeedChangeRerunsEveryStep() throws {
        let s = try setup()
        let first = try firstRender(s)
        try s.edit("seed: 7", "seed: 8")

        let second = try s.render()
        XCTAssertEqual(second.ran, lifecycleStages)
        XCTAssertEqual(second.epochsTrained, 1)
        for stage in lifecycleStages {
            XCTAssertNotEqual(second.key(stage), first.key(stage), stage)
        }
    }

    func testOverrideChangesTheKeyOfItsStepAndOfTheStepsThatReadIt() throws {
        let s = try setup()
        let first = try firstRender(s)

        let overridden = try s.render(overrides: ["train.epochs=2"])
        XCTAssertEqual(overridden.cached, ["load", "eda", "preprocess", "build"])
        XCTAssertEqual(overridden.epochsTrained, 2)
        for stage in ["load", "eda", "preprocess", "build"] {
            XCTAssertEqual(overridden.key(stage), first.key(stage), stage)
        }
        for stage in ["train", "evaluate", "error-analysis", "save"] {
            XCTAssertNotEqual(overridden.key(stage), first.key(stage), stage)
        }
        let train = try XCTUnwrap(stepSection(overridden.html, stage: "train"))
        XCTAssertTrue(train.contains("<span class=\"k\">epochs</span> <span class=\"v\">2</span> <span class=\"mark\">set</span>"), train)

        // An override to the value the notebook has is the same step: same key, nothing runs.
        let same = try s.render(overrides: ["train.epochs=1"])
        XCTAssertEqual(same.cached, lifecycleStages)
        XCTAssertEqual(same.key("save"), first.key("save"))

        // Overrides are validated as before, with the notebook's wording.
        XCTAssertThrowsError(try s.render(overrides: ["train.epocs=2"])) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'epochs'"), "\(error)")
        }
    }

    // MARK: a cache that cannot be trusted

    func testTruncatedEntryIsReportedIgnoredAndRebuilt() throws {
        let s = try setup()
        let first = try firstRender(s)
        let entry = try cacheEntry(s, stage: "train")
        let bytes = try Data(contentsOf: entry)
        try bytes.prefix(bytes.count / 2).write(to: entry)   // a write killed half-way

        let second = try s.render()
        XCTAssertFalse(second.outcome.failed)
        XCTAssertEqual(second.cached, ["load", "eda", "preprocess", "build", "evaluate", "error-analysis", "save"])
        XCTAssertEqual(second.ran, ["train"])
        XCTAssertEqual(second.epochsTrained, 1)
        XCTAssertEqual(second.warnings.count, 1, "\(second.warnings)")
        let warning = try XCTUnwrap(second.warnings.first)
        XCTAssertTrue(warning.contains("'train' step on line"), warning)
        XCTAssertTrue(warning.contains("checksum mismatch"), warning)
        XCTAssertFalse(warning.contains("\n"), "one line")
        // Training is deterministic, so the rebuilt entry has the same key and later steps stay cached.
        XCTAssertEqual(second.key("train"), first.key("train"))
        XCTAssertEqual(second.metrics["test_accuracy"] as? Double, first.metrics["test_accuracy"] as? Double)

        let third = try s.render()
        XCTAssertEqual(third.cached, lifecycleStages)
        XCTAssertEqual(third.warnings, [])
    }

    func testEntriesOfAnotherVersionOrWithAlteredBytesAreNotTrusted() throws {
        let s = try setup()
        _ = try firstRender(s)
        // Another cache format in the header line.
        let evaluate = try cacheEntry(s, stage: "evaluate")
        var text = try Data(contentsOf: evaluate)
        let newline = try XCTUnwrap(text.firstIndex(of: UInt8(ascii: "\n")))
        text.replaceSubrange(0..<newline, with: Data("mnistbook-cache 999".utf8))
        try text.write(to: evaluate)
        // One flipped byte in the body of another entry; and an empty file for a third.
        let eda = try cacheEntry(s, stage: "eda")
        var edaBytes = try Data(contentsOf: eda)
        edaBytes[edaBytes.count - 10] ^= 0x01
        try edaBytes.write(to: eda)
        try Data().write(to: try cacheEntry(s, stage: "preprocess"))

        let second = try s.render()
        XCTAssertFalse(second.outcome.failed)
        XCTAssertEqual(second.ran, ["eda", "preprocess", "evaluate"])
        XCTAssertEqual(second.epochsTrained, 0)
        XCTAssertEqual(second.warnings.count, 3, "\(second.warnings)")
        XCTAssertTrue(second.warnings.contains { $0.contains("'evaluate'") && $0.contains("cache format 999") }, "\(second.warnings)")
        XCTAssertTrue(second.warnings.contains { $0.contains("'eda'") && $0.contains("checksum mismatch") }, "\(second.warnings)")
        XCTAssertTrue(second.warnings.contains { $0.contains("'preprocess'") && $0.contains("empty") }, "\(second.warnings)")
    }

    func testNoCacheRunsEveryStepAndRefreshesTheEntries() throws {
        let s = try setup()
        let first = try firstRender(s)
        Thread.sleep(forTimeInterval: 1.1)   // computed_at has whole seconds

        let fresh = try s.render(reuseCache: false)
        XCTAssertEqual(fresh.ran, lifecycleStages)
        XCTAssertEqual(fresh.epochsTrained, 1)
        XCTAssertEqual(fresh.outcome.steps.map(\.cacheKey), first.outcome.steps.map(\.cacheKey))

        let cached = try s.render()
        XCTAssertEqual(cached.cached, lifecycleStages)
        XCTAssertEqual(stepsJSON(cached).map { $0["computed_at"] as? String }, stepsJSON(fresh).map { $0["computed_at"] as? String })
        XCTAssertNotEqual(stepsJSON(cached).map { $0["computed_at"] as? String }, stepsJSON(first).map { $0["computed_at"] as? String })
    }

    /// A folder's content is known only by reading it, so its load step runs every time and its
    /// checksums key the steps after it: a prose edit reuses them, one changed byte in the data does not.
    func testFolderDatasetIsReadEachTimeAndItsContentKeysTheLaterSteps() throws {
        let s = try setup(smallNotebook(dataset: "digits"))
        let data = s.folder.appendingPathComponent("digits")
        try writeIDXFolder(data, train: 1500, test: 300)
        let first = try s.render()
        XCTAssertEqual(first.ran, lifecycleStages, "\(first.outcome.failedStep?.error ?? "")")

        try s.edit("Digits, **ten** classes.", "Digits, **ten** classes, from a folder.")
        let second = try s.render()
        XCTAssertEqual(second.ran, ["load"])
        XCTAssertEqual(second.cached, ["eda", "preprocess", "build", "train", "evaluate", "error-analysis", "save"])
        XCTAssertEqual(second.epochsTrained, 0)
        XCTAssertEqual(second.key("load"), first.key("load"))

        // One pixel of one test image changes: every step after load runs again.
        let testImages = data.appendingPathComponent(IDXFileNames.testImages)
        var bytes = try Data(contentsOf: testImages)
        bytes[16 + 14 * 28 + 14] ^= 0xff
        try bytes.write(to: testImages)
        let third = try s.render()
        XCTAssertEqual(third.ran, lifecycleStages)
        XCTAssertEqual(third.epochsTrained, 1)
        XCTAssertNotEqual(third.key("load"), first.key("load"))
    }

    // MARK: exactness where state is not in the entry

    /// Dropout's random streams are not part of the weights, so a cached train step is run again rather
    /// than restored when a later training of the same model runs: that training then matches a render
    /// that ran everything, whether the step that needs the workspace is the later train step itself
    /// or a step before it.
    func testTrainingAfterACachedTrainingMatchesAFreshRender() throws {
        let text = smallNotebook().replacingOccurrences(of: "## Results", with: """
            ```evaluate
            split: validation
            ```

            ```train
            continue: true
            epochs: 1
            learning_rate: 0.0005
            ```

            ## Results
            """)
        let s = try setup(text)
        let first = try s.render()
        XCTAssertFalse(first.outcome.failed, "\(first.outcome.failedStep?.error ?? "")")
        XCTAssertEqual(first.epochsTrained, 2)

        func assertMatchesAFreshRender(_ r: Render, _ label: String) throws {
            let fresh = try s.render(reuseCache: false, output: s.folder.appendingPathComponent("fresh-\(UUID().uuidString)"))
            for name in ["test_accuracy", "test_loss", "val_loss", "epochs_run"] {
                XCTAssertEqual(r.metrics[name] as? Double, fresh.metrics[name] as? Double, "\(label): \(name)")
            }
        }

        // The later train step is the first to run.
        try s.edit("learning_rate: 0.0005", "learning_rate: 0.0002")
        let second = try s.render()
        XCTAssertEqual(second.cached, ["load", "eda", "preprocess", "build", "train", "evaluate"])
        XCTAssertEqual(second.epochsTrained, 2, "the first training is run again to continue from it exactly")
        try assertMatchesAFreshRender(second, "second train edited")

        // A step between the two trainings that the later one does not read: only it runs, on the
        // first training restored from its weights.
        try s.edit("split: validation", "split: test")
        let third = try s.render()
        XCTAssertEqual(third.ran, ["evaluate"])
        XCTAssertEqual(third.epochsTrained, 0)
        try assertMatchesAFreshRender(third, "evaluate between the trainings edited")

        // Only steps after the last training change: no training runs.
        try s.edit("top_confusions: 5", "top_confusions: 3")
        let fourth = try s.render()
        XCTAssertEqual(fourth.ran, ["error-analysis"])
        XCTAssertEqual(fourth.epochsTrained, 0)
        try assertMatchesAFreshRender(fourth, "error-analysis edited")
    }

    // MARK: the command line

    func testRenderWithNoCacheExitsZeroAndRunsEveryStep() throws {
        let s = try setup()
        _ = try firstRender(s)
        let run = try mnistbook(["render", s.path, "-o", s.output.path, "--no-cache"], in: s.folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stdout.contains("cached"), run.stdout)
        let metrics = try readJSON(s.output.appendingPathComponent("metrics.json"))
        XCTAssertEqual((metrics["steps"] as? [[String: Any]])?.map { $0["cached"] as? Bool }, lifecycleStages.map { _ in false })

        let again = try mnistbook(["render", s.path, "-o", s.output.path], in: s.folder)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("✓ train cached (computed "), again.stdout)
    }

    func testWatchRendersAgainAfterAnEditReusingTheCache() throws {
        let s = try setup()
        let process = try startMnistbook(["watch", s.path, "-o", s.output.path, "--stop-after", "2"], in: s.folder)
        defer { if process.process.isRunning { process.process.terminate() } }
        // Edit once the first render is done and the watcher is waiting.
        try waitFor(timeout: 300) { (try? String(contentsOf: process.stdout, encoding: .utf8))?.contains("watching") == true }
        try s.edit("Digits, **ten** classes.", "Digits, **ten** classes, edited while watching.")
        try waitFor(timeout: 120) { !process.process.isRunning }

        let out = try String(contentsOf: process.stdout, encoding: .utf8)
        let err = try String(contentsOf: process.stderr, encoding: .utf8)
        XCTAssertEqual(process.process.terminationStatus, 0, out + err)
        XCTAssertTrue(out.contains("rendered in"), out)
        XCTAssertTrue(out.contains("ran load, eda, preprocess, build, train, evaluate, error-analysis, save →"), out)
        XCTAssertTrue(out.contains("small.md changed: rendering again"), out)
        XCTAssertTrue(out.contains(": cached load, eda, preprocess, build, train, evaluate, error-analysis, save →"), out)
        let html = try String(contentsOf: s.output.appendingPathComponent("small.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("edited while watching"))
    }

    // MARK: helpers

    /// The first `train` and `test` MNIST images and labels as the four raw IDX files of a dataset folder.
    func writeIDXFolder(_ folder: URL, train: Int, test: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let mnist = try DatasetCatalog.load("mnist")
        func be32(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
        for (split, n, images, labels) in [(mnist.train, train, IDXFileNames.trainImages, IDXFileNames.trainLabels),
                                           (mnist.test, test, IDXFileNames.testImages, IDXFileNames.testLabels)] {
            let pixels = Array(split.images[0..<n * split.pixelsPerImage])
            try Data(be32(0x803) + be32(n) + be32(split.rows) + be32(split.cols) + pixels).write(to: folder.appendingPathComponent(images))
            try Data(be32(0x801) + be32(n) + Array(split.labels[0..<n])).write(to: folder.appendingPathComponent(labels))
        }
    }

    /// Every file of the output folder but the report and metrics.json (which carry the render time), with its bytes.
    func outputFiles(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path)
        where !name.hasPrefix(".") && !name.hasSuffix(".html") && name != "metrics.json" {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    /// The one cache entry of a stage in the small notebook's output folder.
    func cacheEntry(_ s: Setup, stage: String) throws -> URL {
        let folder = s.output.appendingPathComponent(".cache")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix(stage + "-") && $0.hasSuffix(".entry") && $0.dropFirst(stage.count + 1).count == 64 + 6
        }
        XCTAssertEqual(names.count, 1, "\(names)")
        return folder.appendingPathComponent(try XCTUnwrap(names.first))
    }

    struct TimedOut: Error, CustomStringConvertible {
        var seconds: TimeInterval
        var description: String { "timed out after \(seconds) s" }
    }

    func waitFor(timeout: TimeInterval, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw TimedOut(seconds: timeout) }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
