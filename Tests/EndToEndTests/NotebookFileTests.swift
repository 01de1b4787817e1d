import Foundation
import Notebook
import Stages
import XCTest

/// The notebooks shipped in notebooks/ validate cleanly (they are not trained here).
final class NotebookFileTests: XCTestCase {
    func testShippedNotebooksHaveNoDiagnostics() throws {
        for name in ["mnist-lifecycle.md", "quickstart.md"] {
            let path = packageRoot.appendingPathComponent("notebooks").appendingPathComponent(name).path
            do {
                let (notebook, steps) = try checkNotebook(path: path, overrides: [])
                XCTAssertEqual(steps.map(\.stage), lifecycleStages, name)
                XCTAssertEqual(notebook.frontMatter.seed, 42, name)
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
    }

    func testLifecycleNotebookSpellsOutTheReference() throws {
        let path = packageRoot.appendingPathComponent("notebooks/mnist-lifecycle.md").path
        let (notebook, steps) = try checkNotebook(path: path, overrides: [])
        XCTAssertEqual(notebook.frontMatter.title, "MNIST Handwritten Digit Classification")
        XCTAssertEqual(notebook.frontMatter.author, "Course staff")
        let build = try XCTUnwrap(steps.first { $0.stage == "build" })
        XCTAssertEqual(build.layers("layers").compactMap { $0["name"]?.stringValue },
                       ["conv1", "bn1", "pool1", "conv2", "bn2", "pool2", "conv3", "bn3", "flatten", "dense1", "dropout", "output"])
        XCTAssertEqual(build["layers"], LayerSchema.referenceLayers, "the reference CNN, written out")
        let train = try XCTUnwrap(steps.first { $0.stage == "train" })
        XCTAssertEqual(train.string("optimizer"), "adam")
        XCTAssertEqual(train.double("learning_rate"), 0.001)
        XCTAssertEqual(train.int("batch_size"), 64)
        XCTAssertEqual(train.int("epochs"), 20)
        XCTAssertNotNil(train.mapOrOff("early_stopping"))
        XCTAssertNotNil(train.mapOrOff("reduce_lr_on_plateau"))
        XCTAssertNotNil(train.mapOrOff("model_checkpoint"))
        let load = try XCTUnwrap(steps.first { $0.stage == "load" })
        XCTAssertEqual(load.double("validation_split"), 0.2)
        XCTAssertNil(load.optionalInt("limit_train"))
    }

    /// The lab shows a class id, repeat and continue, and the --set examples its prose gives work as it says.
    func testLabNotebookNamesItsRunsAndItsSetExamplesTargetOneRun() throws {
        let path = packageRoot.appendingPathComponent("notebooks/lab-optimizers.md").path
        let (_, steps) = try checkNotebook(path: path, overrides: [])
        let trains = steps.filter { $0.stage == "train" }
        XCTAssertEqual(trains.map(\.id), ["adam", "sgd", "sgd_more", "big_batch"])
        XCTAssertEqual(trains.map { $0.int("repeat") }, [3, 1, 1, 1])
        XCTAssertEqual(trains.map { $0.bool("continue") }, [false, false, true, false])

        let (_, set) = try checkNotebook(path: path, overrides: ["sgd.learning_rate=0.05", "big_batch.batch_size=256"])
        let changed = set.filter { $0.stage == "train" }
        XCTAssertEqual(changed.map { $0.double("learning_rate") }, [0.001, 0.05, 0.01, 0.01])
        XCTAssertEqual(changed.map { $0.int("batch_size") }, [64, 64, 64, 256])
        let every = try checkNotebook(path: path, overrides: ["train.epochs=5"]).1.filter { $0.stage == "train" }
        XCTAssertEqual(every.map { $0.int("epochs") }, [5, 5, 5, 5])
    }

    func testRegistryCoversEveryDocumentedStage() {
        XCTAssertEqual(StageRegistry.standard.names.map(\.rawValue), StageRegistry.standard.schema.stageNames)
        XCTAssertTrue(StageRegistry.standard.schema.describe(stage: "train").contains("early_stopping"))
    }
}
