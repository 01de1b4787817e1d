import Foundation
import NeuralNet
import Notebook
import Stages
import XCTest

/// A notebook with augmentation, a residual network and an ensemble, with two build/train/evaluate rounds,
/// rendered on a small slice of MNIST; and `check`'s messages for layer stacks the new layers cannot fit.
final class DeeperRenderTests: XCTestCase {
    func notebook() -> String {
        """
        ---
        title: Beyond test
        seed: 5
        ---

        ```load
        limit_train: 600
        limit_test: 200
        ```

        ```preprocess
        augment: {rotation: 10, zoom: 0.1, shift: 0.1}
        ```

        ```build
        name: plain_cnn
        \(smallLayers)
        ```

        ```train
        epochs: 1
        ```

        ```evaluate
        ```

        ```build
        name: small_resnet
        layers:
          - conv2d: {filters: 8, activation: relu, name: stem}
          - residual: {filters: 8, name: block1}
          - residual: {filters: 16, strides: 2, name: block2}
          - global_avg_pool: {name: gap}
          - dense: {units: 10, activation: softmax, name: output}
        ```

        ```train
        epochs: 1
        ensemble: {members: 2}
        ```

        ```evaluate
        ```

        ```error-analysis
        show: 4
        ```

        ```save
        name: resnet
        demo: 4
        ```
        """
    }

    func testAugmentedResidualEnsembleNotebookRendersAndRecordsEachModel() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(notebook(), named: "beyond.md", in: folder)
        let out = folder.appendingPathComponent("out")
        let outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: out, overrides: [], observer: RunObserver())
        let html = try String(contentsOf: outcome.reportURL, encoding: .utf8)
        let metrics = try readJSON(outcome.metricsURL)
        XCTAssertEqual(metrics["status"] as? String, "complete")

        let augment = try XCTUnwrap(metrics["augment"] as? [String: Any])
        XCTAssertEqual(augment["rotation"] as? Double, 10)
        XCTAssertEqual((augment["shift"] as? [String: Any])?["y"] as? Double, 0.1)
        let ensemble = try XCTUnwrap(metrics["ensemble"] as? [String: Any])
        let members = try XCTUnwrap(ensemble["members"] as? [[String: Any]])
        XCTAssertEqual(members.compactMap { $0["seed"] as? Int }, [5, 1005])
        XCTAssertEqual(ensemble["test_accuracy"] as? Double, metrics["test_accuracy"] as? Double)

        // Each evaluate names the model it scores; the second scores the ensemble, member by member.
        let quote = html.contains("&#39;plain_cnn&#39;") ? "&#39;" : (html.contains("&#x27;plain_cnn&#x27;") ? "&#x27;" : "'")
        XCTAssertTrue(html.contains("Scoring the model \(quote)plain_cnn\(quote), trained by the last train step before this one."), "first evaluate")
        XCTAssertTrue(html.contains("Scoring the model \(quote)small_resnet\(quote), an ensemble of 2 (the mean of its members"), "second evaluate")
        XCTAssertTrue(html.contains("Ensemble members (test accuracy)"))
        // The All runs table: results before the (long) parameter list; an ensemble's time is every member's.
        let runsTable = try XCTUnwrap(excerpt(html, from: "id=\"runs\"", to: "</table>"))
        XCTAssertEqual(captures("<th[^>]*>([^<]*)</th>", in: runsTable),
                       ["run", "line", "epochs", "val_accuracy", "test accuracy", "time", "parameters that differ"])
        let memberTable = try XCTUnwrap(excerpt(html, from: "<figcaption>Ensemble members</figcaption>", to: "</table>"))
        let memberSeconds = captures("<td class=\"num\">([0-9.]+)</td></tr>", in: memberTable).compactMap(Double.init)
        XCTAssertEqual(memberSeconds.count, 2)
        let runs = try XCTUnwrap(metrics["runs"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(runs.last?["train_seconds"] as? Double), memberSeconds.reduce(0, +) - 0.1)
        XCTAssertTrue(html.contains("Augmented training digits"))
        XCTAssertTrue(html.contains("rotation up to ±10°, zoom ×0.9–1.1 per axis, shift up to ±10% of the side"), "the parameters in words")
        XCTAssertTrue(html.contains("No digit pad: the digit pad&#39;s JavaScript has no ResidualBlock layer")
                      || html.contains("No digit pad: the digit pad&#x27;s JavaScript has no ResidualBlock layer")
                      || html.contains("No digit pad: the digit pad's JavaScript has no ResidualBlock layer"), "save says why there is no pad")
        XCTAssertTrue(html.contains("block1/conv_a"), "the summary lists the block's inner layers")

        for file in ["resnet_member1.mnistbook", "resnet_member2.mnistbook", "resnet.ensemble", "resnet_ensemble.onnx"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: outcome.reportURL.deletingLastPathComponent().appendingPathComponent(file).path), file)
        }
        let read = try EnsembleFile.read(from: outcome.reportURL.deletingLastPathComponent().appendingPathComponent("resnet.ensemble"))
        XCTAssertEqual(read.file.members.map(\.seed), [5, 1005])
        XCTAssertEqual(read.models.count, 2)
    }

    func testTheBeyond99NotebookPassesCheck() throws {
        let (_, steps) = try checkNotebook(path: packageRoot.appendingPathComponent("notebooks/beyond-99.md").path, overrides: [])
        XCTAssertEqual(steps.map(\.stage), ["load", "preprocess", "build", "train", "evaluate", "preprocess", "build", "train",
                                            "evaluate", "build", "train", "evaluate", "error-analysis", "save"])
        // Section 5's recipe, as the prose describes it: the VGG-style net, 15 epochs, no early stopping, 3 members.
        let builds = steps.filter { $0.stage == "build" }, trains = steps.filter { $0.stage == "train" }
        XCTAssertEqual(builds.map { $0.string("name") }, ["reference_cnn", "small_resnet", "vgg_cnn"])
        let vgg = try XCTUnwrap(builds.last).layers("layers")
        XCTAssertEqual(vgg.compactMap { $0["type"]?.stringValue }.filter { $0 == "conv2d" }.count, 6)
        XCTAssertEqual(vgg.compactMap { $0["strides"]?.intValue }.filter { $0 == 2 }.count, 2, "two stride-2 convolutions instead of pooling")
        XCTAssertFalse(vgg.contains { $0["type"]?.stringValue == "maxpool" })
        XCTAssertEqual(vgg.compactMap { $0["rate"]?.doubleValue }, [0.4, 0.4, 0.4])
        let last = try XCTUnwrap(trains.last)
        XCTAssertEqual(last.int("epochs"), 15)
        XCTAssertEqual(last["early_stopping"], .bool(false))
        XCTAssertEqual(last.mapOrOff("ensemble")?.int("members"), 3)
        XCTAssertEqual(last.mapOrOff("lr_schedule")?.values, nil)
    }

    /// A second render reads every step from the cache: the ensemble's members come back with their weights.
    func testACachedRenderRestoresTheEnsemble() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(notebook(), named: "beyond.md", in: folder)
        let out = folder.appendingPathComponent("out")
        let first = try NotebookRunner().render(notebookPath: path, outputDirectory: out, overrides: [], observer: RunObserver())
        let firstMetrics = try readJSON(first.metricsURL)
        let second = try NotebookRunner().render(notebookPath: path, outputDirectory: out, overrides: [], observer: RunObserver())
        let metrics = try readJSON(second.metricsURL)
        let steps = try XCTUnwrap(metrics["steps"] as? [[String: Any]])
        XCTAssertTrue(steps.allSatisfy { $0["cached"] as? Bool == true }, "every step cached")
        XCTAssertEqual((metrics["ensemble"] as? [String: Any])?["test_accuracy"] as? Double,
                       (firstMetrics["ensemble"] as? [String: Any])?["test_accuracy"] as? Double)
        let read = try EnsembleFile.read(from: out.appendingPathComponent("resnet.ensemble"))
        XCTAssertEqual(read.models.count, 2)
    }

    func testCheckFindsStridesAboveTheInputAndGlobalPoolingWithoutSpatialAxes() throws {
        let folder = try temporaryFolder(self)
        let strided = smallNotebook().replacingOccurrences(of: "  - conv2d: {filters: 8, kernel: 3, activation: relu, name: conv1}",
                                                           with: "  - residual: {filters: 8, strides: 30, name: block1}")
        let path = try writeNotebook(strided, named: "strides.md", in: folder)
        let line = lineNumber(of: "  - residual:", in: strided)
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: [])) { error in
            XCTAssertEqual("\(error)", "\(path):\(line):5: build: layer 'block1': strides 30 must be between 1 and the input size 28 (input is 28×28×1)")
        }
        let pooled = smallNotebook().replacingOccurrences(of: "  - dropout: {rate: 0.25}", with: "  - global_avg_pool: {name: gap}")
        let pooledPath = try writeNotebook(pooled, named: "gap.md", in: folder)
        let gapLine = lineNumber(of: "  - global_avg_pool", in: pooled)
        XCTAssertThrowsError(try checkNotebook(path: pooledPath, overrides: [])) { error in
            XCTAssertEqual("\(error)", "\(pooledPath):\(gapLine):5: build: layer 'gap': global_avg_pool needs an image input [height, width, channels] with spatial axes left, got 32; put it before flatten and dense")
        }
    }
}
