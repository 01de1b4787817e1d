import Foundation
import XCTest

/// A run that cannot be trusted looks like it: amber warnings, a "ran, with warnings" badge, no "best
/// epoch" on a diverged run's chart, the warnings in metrics.json and on the terminal; callbacks that
/// cannot act in so short a run are grey chips. Rendered by the command line and read back.
final class WarningTests: XCTestCase {
    /// A small dense network on 480 training images; `train` is the train step's body (line 24 of the notebook).
    static func diverging(_ train: String) -> String {
        """
        ---
        title: Diverging
        seed: 5
        ---

        ```load
        dataset: mnist
        limit_train: 600
        limit_test: 300
        ```

        ```preprocess
        one_hot: false
        ```

        ```build
        name: Dense
        layers:
          - flatten: {name: flatten}
          - dense: {units: 32, activation: relu, name: dense1}
          - dense: {units: 10, activation: softmax, name: output}
        ```

        ```train
        \(train)
        ```

        ```evaluate
        ```
        """
    }

    /// SGD at learning rate 50 for one epoch of 3 batches: the epoch's mean loss explodes to tens of thousands
    /// (32,698 on the machine this was written on: thousands of times 4 × ln 10) yet stays some 30 orders of
    /// magnitude below float32's overflow, so no CPU's rounding can make it non-finite or tame. One epoch: only
    /// the "reached … far above" rule can apply (the "rose from epoch 1" rule needs two).
    func testALossThatExplodesButStaysFiniteRanWithWarnings() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(Self.diverging("optimizer: sgd\nlearning_rate: 50\nepochs: 1\nbatch_size: 160\n"
            + "early_stopping: {patience: 5}"), named: "nb.md", in: folder)
        let run = try mnistbook(["render", "nb.md", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        let out = folder.appendingPathComponent("output/nb")
        let html = try String(contentsOf: out.appendingPathComponent("nb.html"), encoding: .utf8)
        let train = try XCTUnwrap(stepSection(html, stage: "train"))

        // The loss itself depends on the CPU's rounding: the text around it does not.
        let prefix = "<p class=\"warning\" role=\"note\"><strong>Warning</strong> Diagnosis, divergence: the training loss reached "
        let suffix = " in epoch 1, far above 2.30 (ln 10, the loss of giving every class the same probability), with learning rate "
            + "50. Try train.learning_rate: 5 (a tenth of 50).</p>"
        let warning = try XCTUnwrap(train.range(of: prefix).map { String(train[$0.lowerBound...].prefix { $0 != "\n" }) }, train)
        XCTAssertTrue(warning.hasSuffix(suffix), warning)
        XCTAssertTrue(train.contains("<span class=\"status\">ran, with warnings</span>"), train)
        XCTAssertTrue(html.contains("<section class=\"step status-ran warned\" id=\"step-train-line-24\">"))
        XCTAssertFalse(train.contains("became non-finite"), train)
        XCTAssertTrue(run.stderr.contains("nb.md:24: train: warning: Diagnosis, divergence: the training loss reached "), run.stderr)
        let metrics = try readJSON(out.appendingPathComponent("metrics.json"))
        let warnings = try XCTUnwrap(metrics["warnings"] as? [[String: Any]])
        XCTAssertTrue(warnings.contains { ($0["stage"] as? String) == "train" && ($0["line"] as? Int) == 24
            && (($0["text"] as? String) ?? "").hasPrefix("Diagnosis, divergence: the training loss reached ") }, "\(warnings)")
        // Nothing about a diverged run is "best"; the later step ran.
        XCTAssertFalse(train.contains("best epoch"), train)
        XCTAssertTrue(try XCTUnwrap(stepSection(html, stage: "evaluate")).contains("status-ran"))
        // The loss named as preprocess chose the labels.
        XCTAssertTrue(train.contains("<tr><th scope=\"row\">loss</th><td>sparse_categorical_crossentropy (integer labels)</td></tr>"), train)
        // One epoch: neither EarlyStopping (patience 5) nor ReduceLROnPlateau (its default patience 2) can act.
        XCTAssertTrue(train.contains("<li class=\"param inert\" tabindex=\"0\" aria-describedby=\"step-train-line-24-help-early_stopping\">"), train)
        XCTAssertTrue(train.contains("<span class=\"d inert-why\">cannot act in this run: it would stop training after epoch 6 at the "
            + "earliest (patience 5), and the run has 1 epoch</span>"), train)
        XCTAssertTrue(train.contains("<span class=\"d inert-why\">cannot act in this run: it would lower the learning rate after epoch 3 "
            + "at the earliest (patience 2), and the run has 1 epoch</span>"), train)
    }

    /// Adam at a learning rate beyond float32 (1e39 is +inf in the optimizer): the first step makes weights ±inf
    /// or NaN (inf × 0), so the second batch's loss is NaN by IEEE rules on every CPU, and training stops. The step
    /// fails (a non-finite loss leaves no model to evaluate), with the divergence warning on its badge.
    func testANonFiniteLossStopsTrainingWithTheWarning() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(Self.diverging("optimizer: adam\nlearning_rate: 1e39\nepochs: 3\nbatch_size: 64"), named: "nb.md", in: folder)
        let run = try mnistbook(["render", "nb.md", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 1, run.stderr)
        let text = "Diagnosis, divergence: the training loss became non-finite in epoch 1 with learning rate 1e+39. "
            + "Try train.learning_rate: 1e+38 (a tenth of 1e+39)."
        XCTAssertEqual(run.stderr, """
            nb.md:24: train: warning: \(text)
            nb.md:24: train: training stopped: epoch 1, batch 2: invalid loss nan, terminating training (the learning rate may be too high)
            Partial report: output/nb/nb.html

            """)
        let out = folder.appendingPathComponent("output/nb")
        let html = try String(contentsOf: out.appendingPathComponent("nb.html"), encoding: .utf8)
        let train = try XCTUnwrap(stepSection(html, stage: "train"))
        XCTAssertTrue(train.contains("<p class=\"warning\" role=\"note\"><strong>Warning</strong> \(text)</p>"), train)
        XCTAssertTrue(train.contains("<span class=\"status\">failed, with warnings</span>"), train)
        XCTAssertFalse(train.contains("far above 2.30"), train)
        XCTAssertTrue(try XCTUnwrap(stepSection(html, stage: "evaluate")).contains("status-skipped"))
        let metrics = try readJSON(out.appendingPathComponent("metrics.json"))
        let warnings = try XCTUnwrap(metrics["warnings"] as? [[String: Any]])
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertEqual(warnings.first?["stage"] as? String, "train")
        XCTAssertEqual(warnings.first?["line"] as? Int, 24)
        XCTAssertEqual(warnings.first?["text"] as? String, text)
    }

    /// A callback watching a val_ value when load holds out no validation set cannot act, whatever its patience:
    /// a grey chip whose help says why. ModelCheckpoint's default monitor is val_accuracy: grey too.
    func testACallbackWatchingValidationWithoutAValidationSetIsGrey() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook("""
            \(denseSteps(validationSplit: "0"))

            ```train
            epochs: 3
            batch_size: 100
            early_stopping: {monitor: val_loss, patience: 1}
            reduce_lr_on_plateau: {monitor: loss, patience: 1}
            ```
            """, named: "noval.md", in: folder)
        let run = try mnistbook(["render", "noval.md", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        let html = try String(contentsOf: folder.appendingPathComponent("output/noval/noval.html"), encoding: .utf8)
        let train = try XCTUnwrap(stepSection(html, stage: "train"))
        for (name, monitor) in [("early_stopping", "val_loss"), ("model_checkpoint", "val_accuracy")] {
            XCTAssertTrue(train.contains("<li class=\"param inert\" tabindex=\"0\" aria-describedby=\"step-train-line-17-help-\(name)\">"), train)
            XCTAssertTrue(train.contains("<span class=\"d inert-why\">cannot act: it watches \(monitor) and validation_split is 0, "
                + "so there is no validation set</span>"), train)
        }
        // The same patience on the training loss can act in 3 epochs: a plain chip, with no reason to be grey.
        XCTAssertTrue(train.contains("<li class=\"param\" tabindex=\"0\" aria-describedby=\"step-train-line-17-help-reduce_lr_on_plateau\">"), train)
        XCTAssertEqual(train.components(separatedBy: "inert-why").count, 3, train)
    }

    func testAHealthyStepHasAPlainBadge() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook("```load\ndataset: mnist\nlimit_train: 200\nlimit_test: 50\n```\n", named: "ok.md", in: folder)
        XCTAssertEqual(try mnistbook(["render", "ok.md", "--quiet"], in: folder).status, 0)
        let html = try String(contentsOf: folder.appendingPathComponent("output/ok/ok.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<span class=\"status\">ran</span>"))
        XCTAssertFalse(html.contains("with warnings"))
        let metrics = try readJSON(folder.appendingPathComponent("output/ok/metrics.json"))
        XCTAssertEqual((metrics["warnings"] as? [Any])?.count, 0)
    }
}
