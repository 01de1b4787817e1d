import Foundation
import NeuralNet
import Stages
import XCTest

/// Renders a small lifecycle notebook once and reads the report, metrics.json and artifacts back.
final class RenderTests: XCTestCase {
    struct Rendered {
        var folder: URL
        var outcome: RenderOutcome
        var html: String
        var metrics: [String: Any]
        var messages: [String]
        var began: [String]
    }

    /// One render shared by the tests of this class: training is the slow part.
    nonisolated(unsafe) static var rendered: Result<Rendered, Error>?

    func render() throws -> Rendered {
        if let rendered = Self.rendered { return try rendered.get() }
        let result = Result { () throws -> Rendered in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-e2e-render-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // Two epochs in the notebook, one from the command line: the report marks the override.
            let source = smallNotebook().replacingOccurrences(of: "epochs: 1", with: "epochs: 2")
            let path = try writeNotebook(source, named: "small.md", in: folder)
            var messages: [String] = [], began: [String] = []
            let observer = RunObserver(stepBegan: { stage, _ in began.append(stage) }, message: { messages.append($0) })
            let start = Date()
            let outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: folder.appendingPathComponent("out"),
                                                      overrides: ["train.epochs=1", "train.early_stopping.patience=5"],
                                                      observer: observer)
            print("small notebook rendered in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
            let html = try String(contentsOf: outcome.reportURL, encoding: .utf8)
            return Rendered(folder: folder, outcome: outcome, html: html, metrics: try readJSON(outcome.metricsURL),
                            messages: messages, began: began)
        }
        Self.rendered = result
        return try result.get()
    }

    override class func tearDown() {
        if case .success(let r)? = rendered { try? FileManager.default.removeItem(at: r.folder) }
        super.tearDown()
    }

    func testEveryStepRunsAndAppearsInNotebookOrder() throws {
        let r = try render()
        XCTAssertFalse(r.outcome.failed)
        XCTAssertEqual(r.outcome.steps.map(\.stage), lifecycleStages)
        XCTAssertEqual(r.outcome.steps.map(\.status), Array(repeating: .ran, count: 8))
        XCTAssertEqual(r.began, lifecycleStages)
        XCTAssertEqual(r.outcome.reportURL.lastPathComponent, "small.html")

        var cursor = r.html.startIndex
        for marker in ["<h1 id=\"problem\">Problem</h1>", "id=\"step-load-line-", "id=\"step-eda-line-", "id=\"step-preprocess-line-",
                       "language-python", "id=\"step-build-line-", "id=\"step-train-line-", "id=\"step-evaluate-line-",
                       "id=\"step-error-analysis-line-", "id=\"step-save-line-"] {
            let found = r.html.range(of: marker, range: cursor..<r.html.endIndex)
            XCTAssertNotNil(found, "\(marker) missing or out of order")
            if let found { cursor = found.upperBound }
        }
        for stage in lifecycleStages {
            let section = try XCTUnwrap(stepSection(r.html, stage: stage), stage)
            XCTAssertTrue(section.contains("status-ran"), stage)
            XCTAssertFalse(section.contains("class=\"error\""), stage)
        }
        // Front matter, escaped; the code block is shown as text.
        XCTAssertTrue(r.html.contains("<title>Small &lt;lifecycle&gt; &amp; test</title>"))
        XCTAssertTrue(r.html.contains("End-to-end test"))
        XCTAssertTrue(r.html.contains("model = keras.Sequential()  # shown, never run"))
    }

    func testLoadShowsSplitSizesAndChecksums() throws {
        let r = try render()
        let load = try XCTUnwrap(stepSection(r.html, stage: "load"))
        XCTAssertTrue(load.contains("<td>Train</td><td class=\"num\">960</td>"), load)
        XCTAssertTrue(load.contains("<td>Validation</td><td class=\"num\">240</td>"))
        XCTAssertTrue(load.contains("<td>Test</td><td class=\"num\">300</td>"))
        XCTAssertTrue(load.contains("(28, 28, 1)"))
        // The bundled MNIST's training images, as docs/DATASETS.md lists them.
        XCTAssertTrue(load.contains("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"))
        // The catalog's name, not the absolute path of the machine that rendered it.
        XCTAssertTrue(load.contains("<td>mnist (from the catalog)</td>"), load)
        XCTAssertFalse(r.html.contains(packageRoot.appendingPathComponent("data").path), "no absolute dataset path in the report")
    }

    func testEDAAndPreprocessShowComputedData() throws {
        let r = try render()
        let eda = try XCTUnwrap(stepSection(r.html, stage: "eda"))
        XCTAssertTrue(eda.contains("Class distribution"))
        XCTAssertEqual(captures("(<div class=\"tile[ \"])", in: eda).count, 10 + 10, "10 samples and 10 mean images")
        XCTAssertTrue(eda.contains("zero pixels"))
        let preprocess = try XCTUnwrap(stepSection(r.html, stage: "preprocess"))
        XCTAssertTrue(preprocess.contains("<td>x_train</td><td>(960, 28, 28)</td><td>uint8</td><td>[0, 255]</td><td>(960, 28, 28, 1)</td><td>float32</td><td>[0, 1]</td>"), preprocess)
        XCTAssertTrue(preprocess.contains("<td>y_test</td><td>(300,)</td><td>uint8</td><td>[0, 9]</td><td>(300, 10)</td>"))
    }

    func testBuildShowsKerasSummaryAndGraphvizDiagram() throws {
        let r = try render()
        let build = try XCTUnwrap(stepSection(r.html, stage: "build"))
        XCTAssertTrue(build.contains("<td>conv1 (Conv2D)</td><td>(None, 28, 28, 8)</td><td class=\"num\">80</td>"), build)
        XCTAssertTrue(build.contains("<td>dropout (Dropout)</td><td>(None, 32)</td><td class=\"num\">0</td>"))
        XCTAssertTrue(build.contains("<td>Total params:</td><td></td><td class=\"num\">50,650</td>"))
        XCTAssertTrue(build.contains("<td>Trainable params:</td><td></td><td class=\"num\">50,634</td>"))
        XCTAssertTrue(build.contains("<td>Non-trainable params:</td><td></td><td class=\"num\">16</td>"))
        let diagram = try XCTUnwrap(excerpt(build, from: "<figure class=\"diagram\">", to: "</figure>"))
        XCTAssertTrue(diagram.contains("<svg"))
        XCTAssertTrue(diagram.contains("class=\"graph\""), "laid out by Graphviz")
        XCTAssertTrue(diagram.contains("dense1"))
        XCTAssertEqual(r.metrics["params_total"] as? Int, 50_650)
        XCTAssertEqual(r.metrics["params_trainable"] as? Int, 50_634)

        let dot = try String(contentsOf: r.outcome.outputDirectory.appendingPathComponent("model_architecture.dot"), encoding: .utf8)
        XCTAssertTrue(dot.contains("rankdir=LR"))
        XCTAssertTrue(dot.contains("(None, 14, 14, 8)"))
        let svg = try String(contentsOf: r.outcome.outputDirectory.appendingPathComponent("model_architecture.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg"))
    }

    func testParametersShowEffectiveValuesWithOverridesMarked() throws {
        let r = try render()
        let train = try XCTUnwrap(stepSection(r.html, stage: "train"))
        // The chip's help is `mnistbook steps`' text: doc, type with range, default; it links the glossary.
        XCTAssertTrue(train.contains("<li class=\"param set\" tabindex=\"0\" aria-describedby=\"step-train-line-46-help-epochs\"><span class=\"k\">epochs</span> "
            + "<span class=\"v\">1</span> <span class=\"mark\">set</span><span class=\"help\" role=\"tooltip\" id=\"step-train-line-46-help-epochs\">"
            + "maximum number of epochs (<a href=\"#glossary-epoch\">epoch</a>)<span class=\"d\">int in [1, 10000] · default 20</span>"
            + "<span class=\"d\">set in the notebook or on the command line</span></span></li>"), train)
        XCTAssertTrue(r.html.contains("<dt id=\"glossary-epoch\">epoch</dt>"))
        XCTAssertTrue(train.contains("<span class=\"k\">early_stopping</span> <span class=\"v\">{min_delta: 0, monitor: val_loss, patience: 5, restore_best_weights: true}</span> <span class=\"mark\">set</span>"))
        XCTAssertTrue(train.contains("<li class=\"param\" tabindex=\"0\" aria-describedby=\"step-train-line-46-help-batch_size\"><span class=\"k\">batch_size</span> <span class=\"v\">64</span><span class=\"help\""))
        let load = try XCTUnwrap(stepSection(r.html, stage: "load"))
        XCTAssertTrue(load.contains("<span class=\"k\">limit_train</span> <span class=\"v\">1200</span>"))
    }

    func testTrainShowsHistoryAndWritesKerasHistory() throws {
        let r = try render()
        let train = try XCTUnwrap(stepSection(r.html, stage: "train"))
        XCTAssertTrue(train.contains("<th class=\"num\">val_accuracy</th>"), train)
        XCTAssertTrue(train.contains("training images/s"))
        // 15 steps at momentum 0.99 leave 86% of the batch-norm moving averages at their start.
        XCTAssertTrue(train.contains("have seen 15 steps, so 86% of them is still their initial value"), train)
        XCTAssertTrue(train.contains("Epoch 1: val_accuracy improved from -inf to"), "ModelCheckpoint's event, in Keras' words")
        XCTAssertTrue(train.contains("Best epoch 1 was chosen by ModelCheckpoint (best val_accuracy), whose weights save writes as "
                                     + "the _best model; the final weights are from the last epoch, 1."), train)
        let history = try readJSON(r.outcome.outputDirectory.appendingPathComponent("training_history.json"))
        XCTAssertEqual(Set(history.keys), ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"])
        XCTAssertEqual((history["loss"] as? [Double])?.count, 1)
        XCTAssertEqual(history["learning_rate"] as? [Double], [0.001])
        XCTAssertEqual(r.metrics["epochs_run"] as? Int, 1)
        XCTAssertEqual(r.metrics["best_epoch"] as? Int, 1)
        let ips = try XCTUnwrap(r.metrics["train_images_per_second"] as? Double)
        XCTAssertGreaterThan(ips, 0)
    }

    func testConfusionMatrixAndClassificationReportAgree() throws {
        let r = try render()
        let evaluate = try XCTUnwrap(stepSection(r.html, stage: "evaluate"))
        let heatmap = try XCTUnwrap(excerpt(evaluate, from: "<figure class=\"heatmap\">", to: "</figure>"))
        let counts = captures("<text [^>]*class=\"count\">([0-9]+)</text>", in: heatmap).compactMap(Int.init)
        XCTAssertEqual(counts.count, 100)
        XCTAssertEqual(counts.reduce(0, +), 300)
        let diagonal = (0..<10).map { counts[$0 * 10 + $0] }.reduce(0, +)

        // metrics.json agrees with the matrix and with the report's 4-decimal accuracy.
        let accuracy = try XCTUnwrap(r.metrics["test_accuracy"] as? Double)
        XCTAssertEqual(accuracy, Double(diagonal) / 300, accuracy: 1e-12)
        XCTAssertTrue(evaluate.contains("(\(diagonal) of 300 correct"), evaluate)
        XCTAssertTrue(evaluate.contains(String(format: "%.4f", accuracy)))
        let loss = try XCTUnwrap(r.metrics["test_loss"] as? Double)
        XCTAssertTrue(evaluate.contains(String(format: "%.4f", loss)))
        XCTAssertEqual(r.metrics["test_samples"] as? Int, 300)

        // The table shows the report; its text (scikit-learn's layout) is folded, not shown twice.
        XCTAssertTrue(evaluate.contains("<details class=\"more\"><summary>The same report as text (scikit-learn&#39;s classification_report)</summary>\n"
            + "<pre class=\"code\"><code class=\"language-text\">"), evaluate)
        // scikit-learn's layout: a 12-wide name column, then 10-wide columns.
        let code = try XCTUnwrap(excerpt(evaluate, from: "<code class=\"language-text\">", to: "</code>"))
        XCTAssertTrue(code.contains("              precision    recall  f1-score   support\n\n"), code)
        XCTAssertTrue(code.contains("\n    accuracy                         \(String(format: "%.4f", accuracy))       300\n"), code)
        XCTAssertTrue(code.contains("\n   macro avg     "))
        XCTAssertTrue(code.contains("\nweighted avg     "))
        // Per class, recall is the diagonal over the row.
        for c in 0..<10 {
            let row = counts[(c * 10)..<(c * 10 + 10)].reduce(0, +)
            let recall = row > 0 ? Double(counts[c * 10 + c]) / Double(row) : 0
            XCTAssertTrue(code.contains(String(format: "\n%12d     ", c)), "row \(c)")
            let line = try XCTUnwrap(code.components(separatedBy: "\n").first { $0.hasPrefix(String(format: "%12d ", c)) })
            XCTAssertTrue(line.hasSuffix(String(format: "%9d", row)), line)
            XCTAssertTrue(line.contains(String(format: "%.4f", recall)), line)
        }
        let svg = try String(contentsOf: r.outcome.outputDirectory.appendingPathComponent("confusion_matrix.svg"), encoding: .utf8)
        XCTAssertEqual(captures("class=\"count\">([0-9]+)</text>", in: svg).compactMap(Int.init), counts)
    }

    func testErrorAnalysisAndSaveReloadFromDisk() throws {
        let r = try render()
        let analysis = try XCTUnwrap(stepSection(r.html, stage: "error-analysis"))
        XCTAssertTrue(analysis.contains("Most-confused pairs"))
        XCTAssertTrue(analysis.contains("Most confident mistakes"))
        // The mistakes' digits, captioned with their test index, before the table of their numbers.
        let thumbnails = try XCTUnwrap(excerpt(analysis, from: "<figcaption>Most confident mistakes, most confident first</figcaption>", to: "</figure>"))
        let indices = captures("<span>#([0-9]+): [0-9] → [0-9] \\([0-9]+%\\)</span>", in: thumbnails)
        XCTAssertGreaterThan(indices.count, 0)
        XCTAssertEqual(indices.count, thumbnails.components(separatedBy: "<img src=\"data:image/png;base64,").count - 1)
        let table = try XCTUnwrap(excerpt(analysis, from: "<figcaption>Most confident mistakes</figcaption>", to: "</table>"))
        XCTAssertEqual(captures("<tr><td class=\"num\">([0-9]+)</td>", in: table), indices)
        let save = try XCTUnwrap(stepSection(r.html, stage: "save"))
        XCTAssertTrue(save.contains("small_cnn.mnistbook"))
        XCTAssertTrue(save.contains("small_cnn.onnx"))
        XCTAssertTrue(save.contains("Reloaded small_cnn.mnistbook from disk"))
        XCTAssertTrue(save.contains("identical to the in-memory model"), save)
        // The digit pad: its canvas, the page's own model with the int8 weights (checked in Chromium by PadAgreementTests).
        XCTAssertTrue(save.contains("<canvas class=\"pad-draw\""), save)
        XCTAssertTrue(save.contains("var model = MnistbookModel.create({\"inputShape\":[28,28,1],"), save)
        XCTAssertEqual(captures("<tr><td class=\"num\">([0-9]+)</td>", in: try XCTUnwrap(excerpt(save, from: "Inference demo", to: "</table>"))).count, 8)

        let (model, metadata) = try ModelFile.read(from: r.outcome.outputDirectory.appendingPathComponent("small_cnn.mnistbook"))
        XCTAssertEqual(model.parameterCount, 50_650)
        XCTAssertEqual(metadata.dataset, "mnist")
        XCTAssertEqual(metadata.preprocessing.scale, 1 / 255)
        XCTAssertEqual(metadata.testAccuracy, r.metrics["test_accuracy"] as? Double)
        XCTAssertTrue(FileManager.default.fileExists(atPath: r.outcome.outputDirectory.appendingPathComponent("small_cnn_best.mnistbook").path))
    }

    func testReportIsSelfContainedAndArtifactsAreWritten() throws {
        let r = try render()
        XCTAssertNil(r.html.range(of: "(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//", options: [.regularExpression, .caseInsensitive]),
                     "the report must not load anything from the network")
        XCTAssertTrue(r.html.contains("src=\"data:image/png;base64,"))
        let all = Set(try FileManager.default.contentsOfDirectory(atPath: r.outcome.outputDirectory.path))
        XCTAssertTrue(all.contains(".cache"), "the step cache lives in the output folder")
        let names = all.filter { !$0.hasPrefix(".") }
        XCTAssertEqual(names, ["small.html", "metrics.json", "training_history.json", "training_history.svg",
                               "model_architecture.dot", "model_architecture.svg", "confusion_matrix.svg",
                               "sample_predictions.png", "misclassified_samples.png", "predictions.json",
                               "small_cnn.mnistbook", "small_cnn_best.mnistbook", "small_cnn.onnx", "mnistbook-outputs.txt"])
        XCTAssertEqual(r.outcome.files.last, r.outcome.reportURL, "the report is written last")
        for png in ["sample_predictions.png", "misclassified_samples.png"] {
            let bytes = try Data(contentsOf: r.outcome.outputDirectory.appendingPathComponent(png))
            XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], png)
        }
    }

    func testMetricsMatchTheRun() throws {
        let r = try render()
        let m = r.metrics
        XCTAssertEqual(m["dataset"] as? String, "mnist")
        XCTAssertEqual(m["status"] as? String, "complete")
        XCTAssertEqual(m["train_samples"] as? Int, 960)
        XCTAssertEqual(m["val_samples"] as? Int, 240)
        XCTAssertEqual(m["test_samples"] as? Int, 300)
        XCTAssertGreaterThan(try XCTUnwrap(m["train_seconds"] as? Double), 0)
        let steps = try XCTUnwrap(m["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.compactMap { $0["stage"] as? String }, lifecycleStages)
        XCTAssertEqual(steps.compactMap { $0["cached"] as? Bool }, Array(repeating: false, count: 8))
        XCTAssertEqual(steps.compactMap { $0["line"] as? Int }, r.outcome.steps.map(\.line))
        for (step, record) in zip(steps, r.outcome.steps) {
            XCTAssertEqual(try XCTUnwrap(step["seconds"] as? Double), try XCTUnwrap(record.seconds), accuracy: 1e-9)
        }
        // The report shows each step's line.
        for record in r.outcome.steps {
            XCTAssertTrue(r.html.contains("id=\"step-\(record.stage)-line-\(record.line)\""))
        }
    }
}
