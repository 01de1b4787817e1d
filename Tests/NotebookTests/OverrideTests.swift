import XCTest
@testable import Notebook

final class OverrideTests: XCTestCase {
    let notebook = loadAndBuild + """

        ```train
        epochs: 10
        early_stopping: false
        ```
        ```evaluate
        ```
        ```train
        ```
        """

    func testOverridesApplyToEveryStepOfTheStage() {
        let steps = validSteps(notebook, overrides: ["train.epochs=3", "train.learning_rate=1", "load.limit_train=500"])
        let trains = steps.filter { $0.stage == "train" }
        XCTAssertEqual(trains.map { $0["epochs"] }, [3, 3])
        XCTAssertEqual(trains.map { $0["learning_rate"] }, [.double(1), .double(1)])
        XCTAssertEqual(trains.map(\.overridden), [["epochs", "learning_rate"], ["epochs", "learning_rate"]])
        XCTAssertEqual(steps[0]["limit_train"], 500)
        XCTAssertEqual(steps[0].overridden, ["limit_train"])
        XCTAssertEqual(steps[1].overridden, [])
    }

    func testNestedOverride() {
        let steps = validSteps(notebook, overrides: ["train.early_stopping.patience=5", "build.diagram.rankdir=LR"])
        // The first train step had early stopping off: setting a member turns it on with defaults.
        XCTAssertEqual(steps[2]["early_stopping"], ["monitor": "val_loss", "patience": 5, "min_delta": 0.0,
                                                    "restore_best_weights": true])
        XCTAssertEqual(steps[4]["early_stopping"]?["patience"], 5)
        XCTAssertEqual(steps[2].overridden, ["early_stopping.patience"])
        XCTAssertEqual(steps[1]["diagram"], ["rankdir": "LR", "show_shapes": true])
    }

    func testOverrideWithYAMLValues() {
        let steps = validSteps(notebook + "\n```save\n```", overrides: [
            "train.early_stopping=false", "save.formats=[onnx]",
            "build.layers=[flatten, {dense: {units: 10, activation: softmax}}]",
        ])
        XCTAssertEqual(steps[4]["early_stopping"], .bool(false))
        XCTAssertEqual(steps[5]["formats"], ["onnx"])
        XCTAssertEqual(steps[1]["layers"]?.listValue?.map { $0["name"] }, ["flatten", "dense"])
        XCTAssertEqual(steps[1].layerPositions, [SourcePosition(line: 3, column: 1), SourcePosition(line: 3, column: 1)])
    }

    func testBadOverridesNameTheFlag() {
        XCTAssertEqual(errorText(notebook, overrides: [
            "train.epocs=3",
            "train.epochs=ten",
            "train.epochs=0",
            "trian.epochs=3",
            "train.epochs",
            "save.demo=3",
            "train.early_stopping.patienc=2",
            "train.epochs.x=1",
            "train.optimizer=adamw",
            "train.epochs=",
            "train.reduce_lr_on_plateau={patience: 99999999999999999999}",
        ]), """
            --set train.epocs=3: unknown parameter 'epocs' (did you mean 'epochs'?)
            --set train.epochs=ten: 'epochs' must be an integer, got 'ten'
            --set train.epochs=0: 'epochs' must be in [1, 10000], got 0
            --set trian.epochs=3: unknown stage 'trian' (did you mean 'train'?)
            --set train.epochs: expected stage.parameter=value, for example train.epochs=5
            --set save.demo=3: the notebook has no 'save' step
            --set train.early_stopping.patienc=2: unknown parameter 'patienc' in 'early_stopping' (did you mean 'patience'?)
            --set train.epochs.x=1: 'epochs' has no parameters inside it
            --set train.optimizer=adamw: 'optimizer' must be one of adam, sgd, rmsprop, got 'adamw' (did you mean 'adam'?)
            --set train.epochs=: 'epochs' needs a value
            --set train.reduce_lr_on_plateau={patience: 99999999999999999999}: 'reduce_lr_on_plateau.patience' must be an integer, got '99999999999999999999'
            """)
    }

    /// Issue 11: the augmentation is tried from the command line like any other parameter,
    /// e.g. `--set preprocess.augment.shift=0.2`, with the schema's ranges and its did-you-mean.
    func testAugmentationOverrides() {
        let plain = "```load\n```\n```preprocess\n```\n```build\n```"
        let augmented = "```load\n```\n```preprocess\naugment: {rotation: 10, shift: 0.1}\n```\n```build\n```"
        // A member on a step without augmentation turns it on with the other members' defaults.
        XCTAssertEqual(validSteps(plain, overrides: ["preprocess.augment.shift=0.2"]).dropFirst().first?["augment"],
                       ["rotation": 0.0, "zoom": 0.0, "shift": ["x": 0.2, "y": 0.2], "shear": 0.0, "elastic": false])
        let steps = validSteps(augmented, overrides: ["preprocess.augment.shift={x: 0.3, y: 0.1}"])
        XCTAssertEqual(steps.count, 3)
        XCTAssertEqual(steps.dropFirst().first?["augment"], ["rotation": 10.0, "zoom": 0.0, "shift": ["x": 0.3, "y": 0.1],
                                                             "shear": 0.0, "elastic": false])
        XCTAssertEqual(steps.dropFirst().first?.overridden, ["augment.shift"])
        XCTAssertEqual(validSteps(augmented, overrides: ["preprocess.augment=false"]).dropFirst().first?["augment"], false)
        XCTAssertEqual(errorText(augmented, overrides: [
            "preprocess.augment.shift=1",
            "preprocess.augment.shift={x: 0.1, y: -0.1}",
            "preprocess.augment.shift.x=0.3",
            "preprocess.augment.rotaton=5",
        ]), """
            --set preprocess.augment.shift=1: 'augment.shift' must be in [0, 1), got 1
            --set preprocess.augment.shift={x: 0.1, y: -0.1}: 'augment.shift.y' must be in [0, 1), got -0.1
            --set preprocess.augment.shift.x=0.3: --set reaches one level inside 'augment': set preprocess.augment.shift as a whole, as in the notebook
            --set preprocess.augment.rotaton=5: unknown parameter 'rotaton' in 'augment' (did you mean 'rotation'?)
            """)
    }

    func testOverrideErrorsComeBeforeNotebookErrors() {
        XCTAssertEqual(errorText(loadAndBuild + "\n```train\nepocs: 1\n```", overrides: ["train.batch_size=-1"]), """
            --set train.batch_size=-1: 'batch_size' must be in [1, 65536], got -1
            nb.md:6:1: train: unknown parameter 'epocs' (did you mean 'epochs'?)
            """)
    }

    func testApplyOverridesToValidatedSteps() throws {
        let steps = validSteps(notebook)
        let changed = try applyOverrides(["train.batch_size=128"], to: steps)
        XCTAssertEqual(changed[2]["batch_size"], 128)
        XCTAssertThrowsError(try applyOverrides(["train.batchsize=1"], to: steps)) { error in
            XCTAssertEqual((error as? DiagnosticList)?.description,
                           "--set train.batchsize=1: unknown parameter 'batchsize' (did you mean 'batch_size'?)")
        }
    }
}
