import Stages
import XCTest
@testable import Notebook

final class ValidationTests: XCTestCase {
    func testUnknownParameterHasDidYouMean() {
        XCTAssertEqual(errorText(loadAndBuild + """

            ```train
            epocs: 3
            ```
            """), "nb.md:6:1: train: unknown parameter 'epocs' (did you mean 'epochs'?)")
    }

    func testUnknownParameterWithoutSuggestionListsTheParameters() {
        XCTAssertEqual(errorText("""
            ```load
            colour: red
            ```
            """), "nb.md:2:1: load: unknown parameter 'colour' (expected one of: dataset, validation_split, limit_train, limit_test)")
    }

    func testWrongType() {
        XCTAssertEqual(errorText(loadAndBuild + """

            ```train
            epochs: ten
            shuffle: maybe
            learning_rate: fast
            ```
            """), """
            nb.md:6:1: train: 'epochs' must be an integer, got 'ten'
            nb.md:7:1: train: 'shuffle' must be true or false, got 'maybe'
            nb.md:8:1: train: 'learning_rate' must be a number, got 'fast'
            """)
    }

    func testQuotedNumberIsAString() {
        XCTAssertEqual(errorText(loadAndBuild + "\n```train\nepochs: \"10\"\n```"),
                       "nb.md:6:1: train: 'epochs' must be an integer, got '10'")
    }

    func testOutOfRangeValues() {
        XCTAssertEqual(errorText("""
            ```load
            validation_split: 1.5
            limit_train: 0
            ```
            ```build
            ```
            ```train
            epochs: -3
            learning_rate: 0
            ```
            """), """
            nb.md:2:1: load: 'validation_split' must be in [0, 1), got 1.5
            nb.md:3:1: load: 'limit_train' must be in [1, 100000000], got 0
            nb.md:8:1: train: 'epochs' must be in [1, 10000], got -3
            nb.md:9:1: train: 'learning_rate' must be > 0, got 0
            """)
    }

    func testChoiceWithSuggestion() {
        XCTAssertEqual(errorText(loadAndBuild + """

            ```train
            optimizer: adma
            ```
            """), "nb.md:6:1: train: 'optimizer' must be one of adam, sgd, rmsprop, got 'adma' (did you mean 'adam'?)")
    }

    func testInvalidYAMLIsPlacedInTheNotebook() {
        XCTAssertEqual(errorText(loadAndBuild + """

            ```train
            epochs: 3
            batch_size: 64: 2
            ```
            """), "nb.md:7:15: train: invalid YAML: mapping values are not allowed in this context")
    }

    func testDuplicateKey() {
        XCTAssertEqual(errorText(loadAndBuild + """

            ```train
            epochs: 3
            epochs: 4
            ```
            """), "nb.md:6:1: train: key 'epochs' is given more than once")
    }

    func testBodyMustBeAMapping() {
        XCTAssertEqual(errorText(loadAndBuild + """

            ```train
            - epochs: 3
            ```
            ```eda
            samples 10
            ```
            """), """
            nb.md:6:1: train: a step's body must be a mapping of 'parameter: value' lines, got a list
            nb.md:9:1: eda: a step's body must be a mapping of 'parameter: value' lines, got 'samples 10'
            """)
    }

    func testStepsOutOfOrder() {
        XCTAssertEqual(errorText("""
            ```preprocess
            ```
            ```load
            ```
            ```train
            ```
            ```build
            ```
            ```evaluate
            ```
            """), """
            nb.md:1:1: preprocess: 'preprocess' needs a 'load' step before it (the 'load' step is on line 3)
            nb.md:5:1: train: 'train' needs a 'build' step before it (the 'build' step is on line 7)
            """)
        XCTAssertEqual(errorText("""
            ```load
            ```
            ```save
            ```
            ```eda
            ```
            ```load
            ```
            """), "nb.md:3:1: save: 'save' needs a 'train' step before it (the notebook has none)")
    }

    func testRepeatedStagesAreAllowed() {
        let steps = validSteps(loadAndBuild + """

            ```train
            epochs: 1
            ```
            ```evaluate
            ```
            ```train
            epochs: 2
            ```
            ```evaluate
            split: validation
            ```
            """)
        XCTAssertEqual(steps.map(\.stage), ["load", "build", "train", "evaluate", "train", "evaluate"])
        XCTAssertEqual(steps.map(\.blockIndex), [0, 1, 2, 3, 4, 5])
    }

    func testLayerErrors() {
        XCTAssertEqual(errorText("""
            ```load
            ```
            ```build
            layers:
              - conv2: {filters: 8}
              - conv2d: {filters: 8, kernal: 3}
              - conv2d: {kernel: 3}
              - dense
              - dropout: {rate: 2}
              - dense: {units: 10, activation: softmx}
            ```
            """), """
            nb.md:5:5: build: unknown layer type 'conv2' (did you mean 'conv2d'?)
            nb.md:6:26: build: unknown parameter 'kernal' for conv2d (did you mean 'kernel'?)
            nb.md:7:5: build: conv2d needs 'filters'
            nb.md:8:5: build: dense needs 'units'
            nb.md:9:15: build: 'rate' must be in [0, 1), got 2
            nb.md:10:24: build: 'activation' must be one of relu, softmax, sigmoid, tanh, linear, got 'softmx' (did you mean 'softmax'?)
            """)
    }

    func testLayerShapeAndNames() {
        XCTAssertEqual(errorText("""
            ```build
            layers:
              - flatten: {name: a}
              - dense: {units: 10, name: a}
              - {dense: {units: 1}, dropout: {rate: 0.1}}
            ```
            """), """
            nb.md:4:5: build: layer name 'a' is used more than once
            nb.md:5:5: build: a layer is written '- type: {parameters}', for example '- dense: {units: 10}'
            """)
        XCTAssertEqual(errorText("```build\nlayers: []\n```"), "nb.md:2:1: build: 'layers' must list at least one layer")
        XCTAssertEqual(errorText("```build\nlayers: conv2d\n```"), "nb.md:2:1: build: 'layers' must be a list of layers, got 'conv2d'")
    }

    func testLayersGetDefaultsKerasNamesAndPositions() {
        let steps = validSteps("""
            ```build
            layers:
              - conv2d: {filters: 8}
              - conv2d:
                  filters: 4
                  activation: relu
              - maxpool
              - flatten:
              - dense: {units: 10, name: dense}
              - dense: {units: 10}
            ```
            """)
        let layers = steps[0]["layers"]?.listValue ?? []
        XCTAssertEqual(layers.map { $0["name"]?.stringValue }, ["conv2d", "conv2d_1", "max_pooling2d", "flatten", "dense", "dense_1"])
        XCTAssertEqual(layers[0], ["type": "conv2d", "filters": 8, "kernel": 3, "strides": 1, "padding": "same",
                                   "activation": "linear", "use_bias": true, "name": "conv2d"])
        XCTAssertEqual(layers[2], ["type": "maxpool", "pool": 2, "padding": "valid", "name": "max_pooling2d"])
        XCTAssertEqual(steps[0].layerPositions, [
            SourcePosition(line: 3, column: 5), SourcePosition(line: 4, column: 5), SourcePosition(line: 7, column: 5),
            SourcePosition(line: 8, column: 5), SourcePosition(line: 9, column: 5), SourcePosition(line: 10, column: 5),
        ])
    }

    func testEmptyBodyMeansAllDefaults() {
        let steps = validSteps(loadAndBuild + "\n```train\n```\n")
        for step in steps {
            XCTAssertEqual(step.params, testSchema.spec(for: step.stage)?.defaults, step.stage)
        }
        XCTAssertEqual(steps[1]["layers"], LayerSchema.referenceLayers)
        XCTAssertEqual(steps[1].layerPositions, Array(repeating: SourcePosition(line: 3, column: 1), count: 12))
        XCTAssertEqual(steps[2]["early_stopping"], ["monitor": "val_loss", "patience": 3, "min_delta": 0.0,
                                                    "restore_best_weights": true])
        XCTAssertEqual(steps[2]["reduce_lr_on_plateau"], ["monitor": "val_loss", "factor": 0.5, "patience": 2, "min_lr": 1e-6])
        XCTAssertEqual(steps[2]["model_checkpoint"], ["monitor": "val_accuracy", "save_best_only": true])
        XCTAssertNil(steps[0]["limit_train"])
        XCTAssertEqual(steps[0].canonicalParameters, #"{"dataset":"mnist","validation_split":0.2}"#)
    }

    func testNullValueMeansTheDefault() {
        let steps = validSteps(loadAndBuild + "\n```train\nepochs:\nbatch_size: ~\n```\n")
        XCTAssertEqual(steps[2]["epochs"], 20)
        XCTAssertEqual(steps[2]["batch_size"], 64)
    }

    func testCallbacks() {
        let steps = validSteps(loadAndBuild + """

            ```train
            early_stopping: false
            reduce_lr_on_plateau: {factor: 0.2}
            model_checkpoint: true
            learning_rate: 1
            ```
            """)
        XCTAssertEqual(steps[2]["early_stopping"], .bool(false))
        XCTAssertEqual(steps[2]["reduce_lr_on_plateau"], ["monitor": "val_loss", "factor": 0.2, "patience": 2, "min_lr": 1e-6])
        XCTAssertEqual(steps[2]["model_checkpoint"], ["monitor": "val_accuracy", "save_best_only": true])
        XCTAssertEqual(steps[2]["learning_rate"], .double(1))
    }

    func testNestedParameterErrors() {
        XCTAssertEqual(errorText(loadAndBuild + """

            ```train
            early_stopping:
              patiense: 2
              monitor: val_acc
            reduce_lr_on_plateau: {factor: 1.5}
            model_checkpoint: sometimes
            ```
            """), """
            nb.md:7:3: train: unknown parameter 'patiense' in 'early_stopping' (did you mean 'patience'?)
            nb.md:8:3: train: 'early_stopping.monitor' must be one of val_loss, val_accuracy, loss, accuracy, got 'val_acc' (did you mean 'val_accuracy'?)
            nb.md:9:24: train: 'reduce_lr_on_plateau.factor' must be in (0, 1), got 1.5
            nb.md:10:1: train: 'model_checkpoint' must be a mapping or false, got 'sometimes'
            """)
    }

    func testListParameters() {
        let steps = validSteps(loadAndBuild + "\n```train\n```\n```save\nformats: onnx\n```\n")
        XCTAssertEqual(steps[3]["formats"], ["onnx"])
        XCTAssertEqual(errorText(loadAndBuild + "\n```train\n```\n```save\nformats: [mnistbook, onx]\n```\n"),
                       "nb.md:8:22: save: 'formats' must be one of mnistbook, onnx, got 'onx' (did you mean 'onnx'?)")
    }

    func testDatasetTypoIsCaughtButPathsPass() {
        XCTAssertEqual(errorText("```load\ndataset: minst\n```"),
                       "nb.md:2:1: load: unknown dataset 'minst' (did you mean 'mnist'?); a directory of IDX files is also accepted")
        XCTAssertEqual(validSteps("```load\ndataset: data/my-digits\n```")[0]["dataset"], "data/my-digits")
        XCTAssertEqual(validSteps("```load\ndataset: fashion-mnist\nlimit_train: 1000\n```")[0]["limit_train"], 1000)
    }

    func testIndentedFenceColumns() {
        XCTAssertEqual(errorText("""
            ```load
            ```
               ```eda
               samples: lots
               ```
            """), "nb.md:4:4: eda: 'samples' must be an integer, got 'lots'")
    }

    func testAllErrorsAtOnceInNotebookOrder() {
        XCTAssertEqual(errorText("""
            ---
            sed: 1
            ---
            # Lifecycle

            ```load
            validation_split: 2
            ```

            ```trian
            ```

            ```build
            layers:
              - dense: {unit: 10}
            ```

            ```evaluate
            split: tset
            ```
            """), """
            nb.md:2:1: front matter: unknown front matter key 'sed' (did you mean 'seed'?)
            nb.md:7:1: load: 'validation_split' must be in [0, 1), got 2
            nb.md:10:1: trian: unknown stage 'trian' (did you mean 'train'?)
            nb.md:15:5: build: dense needs 'units'
            nb.md:15:13: build: unknown parameter 'unit' for dense (did you mean 'units'?)
            nb.md:18:1: evaluate: 'evaluate' needs a 'train' step before it (the notebook has none)
            nb.md:19:1: evaluate: 'split' must be one of test, validation, got 'tset' (did you mean 'test'?)
            """)
    }

    func testDiagnosticDescriptions() {
        XCTAssertEqual(Diagnostic(path: "notebooks/x.md", line: 57, column: 3, stage: "train",
                                  message: "unknown parameter 'epocs' (did you mean 'epochs'?)").description,
                       "notebooks/x.md:57:3: train: unknown parameter 'epocs' (did you mean 'epochs'?)")
        XCTAssertEqual(Diagnostic(path: "--set a.b=1", line: 0, column: 0, stage: "a", message: "m").description, "--set a.b=1: m")
    }

    func testPathIsKeptAsGiven() {
        let notebook = Notebook.parse(source: "```load\nx: 1\n```", path: "notebooks/x.md")
        XCTAssertThrowsError(try validate(notebook)) { error in
            XCTAssertEqual((error as? DiagnosticList)?.diagnostics.first?.path, "notebooks/x.md")
        }
        XCTAssertThrowsError(try notebook.validate())
    }
}

final class StepAccessorTests: XCTestCase {
    func testTypedAccessors() {
        let steps = validSteps(loadAndBuild + "\n```train\nearly_stopping: false\nlearning_rate: 1\n```\n")
        XCTAssertEqual(steps[0].double("validation_split"), 0.2)
        XCTAssertNil(steps[0].optionalInt("limit_train"))
        XCTAssertEqual(steps[1].string("name"), "MNIST_CNN")
        XCTAssertEqual(steps[1].layers("layers").count, 12)
        XCTAssertEqual(steps[2].int("epochs"), 20)
        XCTAssertEqual(steps[2].double("learning_rate"), 1)
        XCTAssertTrue(steps[2].bool("shuffle"))
        XCTAssertNil(steps[2].mapOrOff("early_stopping"))
        XCTAssertEqual(steps[2].mapOrOff("model_checkpoint")?.string("monitor"), "val_accuracy")
    }
}
