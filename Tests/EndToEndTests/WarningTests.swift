import Foundation
import XCTest

/// A run that cannot be trusted looks like it: amber warnings, a "ran, with warnings" badge, no "best
/// epoch" on a diverged run's chart, the warnings in metrics.json and on the terminal; callbacks that
/// cannot act in so short a run are grey chips. Rendered by the command line and read back.
final class WarningTests: XCTestCase {
    /// Learning rate 5 with SGD on a small dense network: the loss explodes (tens, or overflows) in the first epoch.
    static let diverging = """
        ---
        title: Diverging
        seed: 5
        ---

        ```load
        dataset: mnist
        limit_train: 1200
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
        optimizer: sgd
        learning_rate: 5
        epochs: 3
        batch_size: 64
        early_stopping: {patience: 5}
        ```

        ```evaluate
        ```
        """

    func testADivergingRunWarnsInTheReportMetricsAndTerminal() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(Self.diverging, named: "nb.md", in: folder)
        let run = try mnistbook(["render", "nb.md", "--quiet"], in: folder)
        XCTAssertTrue(run.status == 0 || run.status == 1, run.stderr)
        let out = folder.appendingPathComponent("output/nb")
        let html = try String(contentsOf: out.appendingPathComponent("nb.html"), encoding: .utf8)
        let train = try XCTUnwrap(stepSection(html, stage: "train"))

        // Divergence is a warning whether the loss grew (the step ran) or overflowed (it failed).
        XCTAssertTrue(train.contains("<p class=\"warning\" role=\"note\"><strong>Warning</strong> Diagnosis, divergence: the training loss "), train)
        XCTAssertTrue(train.contains("far above 2.30 (ln 10, the loss of giving every class the same probability), with learning rate 5.")
                      || train.contains("became non-finite"), train)
        XCTAssertTrue(run.stderr.contains("nb.md:24: train: warning: Diagnosis, divergence: the training loss "), run.stderr)
        let metrics = try readJSON(out.appendingPathComponent("metrics.json"))
        let warnings = try XCTUnwrap(metrics["warnings"] as? [[String: Any]])
        XCTAssertTrue(warnings.contains { ($0["stage"] as? String) == "train" && ($0["line"] as? Int) == 24
            && (($0["text"] as? String) ?? "").hasPrefix("Diagnosis, divergence: ") }, "\(warnings)")
        // Nothing about a diverged run is "best".
        XCTAssertFalse(train.contains("best epoch"), train)
        // The loss named as preprocess chose the labels.
        XCTAssertTrue(train.contains("<tr><th scope=\"row\">loss</th><td>sparse_categorical_crossentropy (integer labels)</td></tr>"), train)
        // Patience 5 with 3 epochs: EarlyStopping cannot act; its chip is grey and says why.
        XCTAssertTrue(train.contains("<li class=\"param inert\" tabindex=\"0\" aria-describedby=\"step-train-line-24-help-early_stopping\">"), train)
        XCTAssertTrue(train.contains("<span class=\"d inert-why\">cannot act in this run: it would stop training after epoch 6 at the "
            + "earliest (patience 5), and the run has 3 epochs</span>"), train)
        // reduce_lr_on_plateau's default patience 2 can act in 3 epochs: a plain chip.
        XCTAssertTrue(train.contains("<li class=\"param\" tabindex=\"0\" aria-describedby=\"step-train-line-24-help-reduce_lr_on_plateau\""), train)

        if run.status == 0 {
            // The loss grew but stayed finite: the step ran, with warnings, and so did evaluate.
            XCTAssertTrue(train.contains("<span class=\"status\">ran, with warnings</span>"), train)
            XCTAssertTrue(html.contains("<section class=\"step status-ran warned\" id=\"step-train-line-24\">"))
            let evaluate = try XCTUnwrap(stepSection(html, stage: "evaluate"))
            XCTAssertTrue(evaluate.contains("Diagnosis, chance level: test accuracy "), evaluate)
            XCTAssertTrue(evaluate.contains("<span class=\"status\">ran, with warnings</span>"))
            XCTAssertTrue(warnings.contains { ($0["stage"] as? String) == "evaluate" })
        } else {
            XCTAssertTrue(train.contains("<span class=\"status\">failed</span>"), train)
        }
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
