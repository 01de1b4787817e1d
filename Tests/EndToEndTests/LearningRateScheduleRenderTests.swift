// `train.lr_schedule` end to end: check's errors, the rates a render shows and trains with (ensemble
// members included), and the cache key.
import Foundation
import NeuralNet
import XCTest
@testable import Stages

final class LearningRateScheduleRenderTests: XCTestCase {
    /// `path:line:column` of `key` on the first line of `text` that holds `line`.
    func position(of key: String, onLineWith line: String, in text: String) throws -> String {
        let lines = text.components(separatedBy: "\n")
        let index = try XCTUnwrap(lines.firstIndex { $0.contains(line) }, line)
        let column = try XCTUnwrap(lines[index].range(of: key), key).lowerBound.utf16Offset(in: lines[index]) + 1
        return "\(index + 1):\(column)"
    }

    func testCheckRejectsBadSchedulesAtTheKeyWithTheAllowedRange() throws {
        let folder = try temporaryFolder(self)
        let cases: [(extra: String, key: String, message: String)] = [
            ("lr_schedule: {decay: exponential, rate: 1.5}", "rate", "'lr_schedule.rate' must be in (0, 1], got 1.5"),
            ("lr_schedule: {decay: exponential, rate: 0}", "rate", "'lr_schedule.rate' must be in (0, 1], got 0"),
            ("lr_schedule: {decay: cosin}", "decay", "'lr_schedule.decay' must be one of exponential, cosine, got 'cosin' (did you mean 'cosine'?)"),
            ("lr_schedule: {decay: cosine, min_lr: -0.1}", "min_lr", "'lr_schedule.min_lr' must be >= 0, got -0.1"),
            ("lr_schedule: {decay: cosine, min_lr: 0.01}", "min_lr", "'lr_schedule.min_lr' must be >= 0 and < learning_rate (0.001), got 0.01"),
            ("lr_schedule: {decay: cosine, min_lr: 0.001}", "min_lr", "'lr_schedule.min_lr' must be >= 0 and < learning_rate (0.001), got 0.001"),
            ("lr_schedule: {decay: exponential}", "decay",
             "lr_schedule: decay: exponential needs 'rate' in (0, 1] (learning_rate × rate^epoch, epoch from 0)"),
            ("lr_schedule: {rate: 0.9}", "lr_schedule", "lr_schedule needs 'decay': exponential (with rate in (0, 1]) or cosine (with min_lr, default 0)"),
            ("lr_schedule: true", "lr_schedule", "lr_schedule needs 'decay': exponential (with rate in (0, 1]) or cosine (with min_lr, default 0)"),
            ("lr_schedule: {decay: cosine, rate: 0.9}", "rate",
             "'lr_schedule.rate' is exponential decay's parameter; cosine decay goes down to min_lr (remove it, or write decay: exponential)"),
            ("lr_schedule: {decay: exponential, rate: 0.9, min_lr: 1e-5}", "min_lr",
             "'lr_schedule.min_lr' is cosine decay's parameter; exponential decay has none (remove it, or write decay: cosine)"),
            ("lr_schedule: {decay: cosine}\nreduce_lr_on_plateau: {patience: 4}", "reduce_lr_on_plateau",
             "lr_schedule and reduce_lr_on_plateau in one step: the schedule sets the learning rate at every step, so the plateau "
                + "callback could not lower it (Keras refuses it too); remove one of them"),
        ]
        for (extra, key, message) in cases {
            let text = tinyNotebook(extraTrain: extra)
            let path = try writeNotebook(text, named: "bad.md", in: folder)
            let keyLine = extra.components(separatedBy: "\n").last { $0.contains(key) } ?? extra
            let at = try position(of: key, onLineWith: keyLine, in: text)
            XCTAssertThrowsError(try checkNotebook(path: path, overrides: []), extra) { error in
                XCTAssertEqual("\(error)", "\(path):\(at): train: \(message)", extra)
            }
        }
        // From the command line, the flag is named instead of a line.
        let path = try writeNotebook(tinyNotebook(extraTrain: "lr_schedule: {decay: cosine}"), named: "set.md", in: folder)
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: ["train.lr_schedule.min_lr=0.5"])) { error in
            XCTAssertEqual("\(error)", "--set train.lr_schedule.min_lr=0.5: 'lr_schedule.min_lr' must be >= 0 and < learning_rate (0.001), got 0.5")
        }
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: ["train.reduce_lr_on_plateau.patience=5"])) { error in
            XCTAssertEqual("\(error)", "--set train.reduce_lr_on_plateau.patience=5: lr_schedule and reduce_lr_on_plateau in one step: "
                + "the schedule sets the learning rate at every step, so the plateau callback could not lower it (Keras refuses it too); remove one of them")
        }
        // A schedule with the plateau callback turned off, or left at its default (which the schedule then replaces), passes.
        for extra in ["lr_schedule: {decay: cosine, min_lr: 1e-5}\nreduce_lr_on_plateau: false", "lr_schedule: {decay: exponential, rate: 0.9}"] {
            let ok = try writeNotebook(tinyNotebook(extraTrain: extra), named: "ok.md", in: folder)
            let (_, steps) = try checkNotebook(path: ok, overrides: [])
            let train = try XCTUnwrap(steps.first { $0.stage == "train" })
            XCTAssertEqual(train.params["reduce_lr_on_plateau"], .bool(false), extra)
            XCTAssertNil(TrainStage(train).configuration.reduceLROnPlateau)
        }
    }

    /// Three epochs of 15 steps (480 images, batch 32), an ensemble of two: the report's lr column, the history file
    /// and every epoch either member trained follow 0.001 × 0.5^(epoch − 1), member 2 starting again at 0.001.
    func testRenderShowsTheScheduledRatesAndEachMemberRestartsTheSchedule() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(tinyNotebook(epochs: 3, extraTrain: "lr_schedule: {decay: exponential, rate: 0.5}\nensemble: {members: 2}"),
                                     named: "tiny.md", in: folder)
        var rates: [Double] = []
        var training = TrainingObserver()
        training.epochEnded = { rates.append($0.learningRate) }
        let outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: folder.appendingPathComponent("out"),
                                                  observer: RunObserver(training: training, message: { _ in }, warning: { _ in }))
        XCTAssertFalse(outcome.failed, "\(outcome.failedStep?.error ?? "")")
        let expected = [0.001, 0.0005, 0.00025]
        XCTAssertEqual(rates, (expected + expected).map { Double(Float($0)) })

        let html = try String(contentsOf: outcome.reportURL, encoding: .utf8)
        let train = try XCTUnwrap(stepSection(html, stage: "train"))
        let history = try XCTUnwrap(excerpt(train, from: "<figcaption>History</figcaption>", to: "</table>"))
        let lrCells = captures(#"<tr><td class="num">[0-9]+</td>(?:<td class="num">[^<]*</td>){4}<td class="num">([^<]*)</td>"#, in: history)
        XCTAssertEqual(lrCells, ["0.001", "0.0005", "0.00025"], history)
        XCTAssertTrue(train.contains("exponential: 0.001 × 0.5^(epoch − 1), set at each epoch&#39;s start (epoch 3: 0.00025)")
                      || train.contains("exponential: 0.001 × 0.5^(epoch − 1), set at each epoch's start (epoch 3: 0.00025)"), train)
        XCTAssertTrue(train.contains("off (lr_schedule sets the rate)"), train)

        let saved = try readJSON(folder.appendingPathComponent("out/training_history.json"))
        XCTAssertEqual(saved["learning_rate"] as? [Double], expected)
        let metrics = try readJSON(outcome.metricsURL)
        let step = try XCTUnwrap((metrics["steps"] as? [[String: Any]])?.first { $0["stage"] as? String == "train" })
        let params = try XCTUnwrap(step["params"] as? [String: Any])
        XCTAssertEqual(params["reduce_lr_on_plateau"] as? Bool, false)
        XCTAssertEqual((params["lr_schedule"] as? [String: Any])?["rate"] as? Double, 0.5)
    }

    func testCosineSetupRowNamesTheStepsAndAlpha() {
        var c = TrainingConfiguration()
        c.epochs = 20
        XCTAssertEqual(scheduleText(.cosine(minLR: 1e-5), c, steps: 844),
                       "cosine: from 0.001 to 1e-05 over 20 epochs (16,880 steps), set at every step (Keras CosineDecay, alpha 0.01); "
                        + "the lr column shows each epoch's last step")
    }

    /// Changing the schedule retrains (and changes train's key); the steps before train stay cached.
    func testTheScheduleIsPartOfTheCacheKey() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(tinyNotebook(epochs: 2, extraTrain: "lr_schedule: {decay: exponential, rate: 0.9}"), named: "tiny.md", in: folder)
        let output = folder.appendingPathComponent("out")
        func render() throws -> (keys: [String: String], cached: [String], epochs: Int) {
            var epochs = 0
            var training = TrainingObserver()
            training.epochEnded = { _ in epochs += 1 }
            let outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: output,
                                                      observer: RunObserver(training: training, message: { _ in }, warning: { _ in }))
            XCTAssertFalse(outcome.failed)
            return (Dictionary(outcome.steps.compactMap { s in s.cacheKey.map { (s.stage, $0) } }, uniquingKeysWith: { a, _ in a }),
                    outcome.steps.filter(\.cached).map(\.stage), epochs)
        }
        func edit(_ old: String, _ new: String) throws {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(text.contains(old))
            try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
        }
        let first = try render()
        XCTAssertEqual(first.epochs, 2)
        XCTAssertEqual(try render().cached, ["load", "preprocess", "build", "train", "evaluate"])
        var keys = [first.keys["train"]]
        for (old, new) in [("rate: 0.9}", "rate: 0.8}"), ("{decay: exponential, rate: 0.8}", "{decay: cosine}"),
                           ("lr_schedule: {decay: cosine}", "lr_schedule: false")] {
            try edit(old, new)
            let again = try render()
            XCTAssertEqual(again.cached, ["load", "preprocess", "build"], new)
            XCTAssertEqual(again.epochs, 2, new)
            XCTAssertEqual(Set(["load", "preprocess", "build"].map { again.keys[$0] }), Set(["load", "preprocess", "build"].map { first.keys[$0] }))
            XCTAssertFalse(keys.contains(again.keys["train"]), new)
            keys.append(again.keys["train"])
        }
    }
}
