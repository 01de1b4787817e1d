import XCTest
@testable import Notebook

/// Issue 16: `id:` on any step, `--set ID.param` for that step alone, `--set seed=N`, and layer parameters
/// by name or index (`--set build.dropout.rate=0.2`, `--set build.layers.10.rate=0.2`).
final class StepIDTests: XCTestCase {
    let twoRuns = """
        ```load
        ```
        ```build
        ```
        ```train
        id: adam
        epochs: 10
        ```
        ```build
        ```
        ```train
        id: sgd
        optimizer: sgd
        ```
        ```evaluate
        ```
        """

    func testIDTargetsOneStepAndStageTargetsEvery() {
        let steps = validSteps(twoRuns, overrides: ["adam.epochs=3", "sgd.learning_rate=0.1"])
        let trains = steps.filter { $0.stage == "train" }
        XCTAssertEqual(trains.map(\.id), ["adam", "sgd"])
        XCTAssertEqual(trains.map { $0["epochs"] }, [3, 20])
        XCTAssertEqual(trains.map { $0["learning_rate"] }, [.double(0.001), .double(0.1)])
        XCTAssertEqual(trains.map(\.overridden), [["epochs"], ["learning_rate"]])
        // The id is not a parameter: it is in no step's params, so it is in no cache key.
        XCTAssertNil(trains[0]["id"])
        let all = validSteps(twoRuns, overrides: ["train.epochs=2"]).filter { $0.stage == "train" }
        XCTAssertEqual(all.map { $0["epochs"] }, [2, 2])
        // An id-targeted expectation sits on that step only.
        let expected = validSteps(twoRuns, overrides: ["sgd.expect.epochs_run=>= 1"]).filter { $0.stage == "train" }
        XCTAssertEqual(expected.map(\.expectations.count), [0, 1])
    }

    func testDuplicateAndBadIDs() {
        XCTAssertEqual(errorText(twoRuns.replacingOccurrences(of: "id: sgd", with: "id: adam")), """
            nb.md:12:1: train: id 'adam' is already the id of the train step on line 5; give each step its own id
            """)
        XCTAssertEqual(errorText(loadAndBuild + "\n```train\nid: train\n```\n```evaluate\nid: 2nd run\n```\n```save\nid: seed\n```"), """
            nb.md:6:1: train: id 'train' is a stage name, which --set train.… already means (every train step): choose another, e.g. id: train_1
            nb.md:9:1: evaluate: id '2nd run' must start with a letter and hold only letters, digits, '_' and '-' (at most 40 characters), e.g. id: adam_lr3
            nb.md:12:1: save: id 'seed' is a front matter key, which --set seed=… already means: choose another
            """)
    }

    func testUnknownIDNamesTheIDsThatExist() {
        XCTAssertEqual(errorText(twoRuns, overrides: ["adm.epochs=3", "rmsprop.epochs=1"]), """
            --set adm.epochs=3: unknown stage or step id 'adm' (did you mean 'adam'?); the notebook's step ids are adam, sgd, the stages load, eda, preprocess, build, tune, train, evaluate, error-analysis, save, inspect
            --set rmsprop.epochs=1: unknown stage or step id 'rmsprop'; the notebook's step ids are adam, sgd, the stages load, eda, preprocess, build, tune, train, evaluate, error-analysis, save, inspect
            """)
        XCTAssertEqual(validSteps(twoRuns).idList, "adam (train, line 5), sgd (train, line 11)")
    }

    func testFrontMatterOverrides() {
        let notebook = parse("---\nseed: 1\ntitle: Lab\n---\n" + twoRuns)
        XCTAssertEqual(notebook.applyingFrontMatterOverrides(["seed=7", "title=Lab 2", "train.epochs=1"]).frontMatter,
                       FrontMatter(title: "Lab 2", seed: 7))
        XCTAssertEqual(errorText(twoRuns, overrides: ["seed=seven", "seed=-1", "seed="]), """
            --set seed=seven: 'seed' must be an integer, got 'seven'
            --set seed=-1: 'seed' must be >= 0, got -1
            --set seed=: 'seed' needs a value
            """)
        XCTAssertTrue(validSteps(twoRuns, overrides: ["seed=7"]).count == 6)
    }

    func testLayerParametersByNameAndIndex() {
        let lifecycle = "```load\n```\n```build\nlayers:\n  - conv2d: {filters: 8, name: conv1}\n  - flatten\n  - dense: {units: 32}\n"
            + "  - dropout: {rate: 0.5}\n  - dense: {units: 10, activation: softmax, name: output}\n```\n```train\n```"
        let byName = validSteps(lifecycle, overrides: ["build.dropout.rate=0.2", "build.conv1.kernel=5", "build.layers.2.units=64"])
        let layers = byName[1]["layers"]?.listValue ?? []
        XCTAssertEqual(layers[3]["rate"], .double(0.2))
        XCTAssertEqual(layers[0]["kernel"], 5)
        XCTAssertEqual(layers[2]["units"], 64)
        XCTAssertEqual(byName[1].overridden, ["layers.dropout.rate", "layers.conv1.kernel", "layers.dense.units"])
        XCTAssertEqual(errorText(lifecycle, overrides: [
            "build.dropout.rate=1.5",
            "build.dropot.rate=0.2",
            "build.layers.9.rate=0.2",
            "build.flatten.units=3",
            "build.conv1.kernal=5",
            "build.dense.activation=relux",
        ]), """
            --set build.dropout.rate=1.5: 'dropout.rate' must be in [0, 1), got 1.5
            --set build.dropot.rate=0.2: unknown parameter or layer 'dropot' (did you mean 'dropout'?); the layers of the build step on line 3 are conv1, flatten, dense, dropout, output (--set build.LAYER.PARAMETER=value, or build.layers.INDEX.PARAMETER counting from 0)
            --set build.layers.9.rate=0.2: the build step on line 3 has 5 layers, numbered 0…4; there is no layer 9
            --set build.flatten.units=3: layer 'flatten' (flatten) has no parameter 'units' (it has none to set)
            --set build.conv1.kernal=5: layer 'conv1' (conv2d) has no parameter 'kernal' (did you mean 'kernel'?)
            --set build.dense.activation=relux: 'dense.activation' must be one of relu, softmax, sigmoid, tanh, linear, got 'relux' (did you mean 'relu'?)
            """)
    }
}
