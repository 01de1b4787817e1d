import Foundation
import Stages
import XCTest
@testable import Notebook

final class SchemaTests: XCTestCase {
    func testStagesAreInLifecycleOrder() {
        XCTAssertEqual(testSchema.stageNames,
                       ["load", "eda", "preprocess", "build", "tune", "train", "evaluate", "error-analysis", "save", "inspect"])
        XCTAssertNotNil(testSchema.spec(for: "error-analysis"))
        XCTAssertNil(testSchema.spec(for: "python"))
    }

    func testDefaultsFollowTheProduct() {
        func defaults(_ stage: String) -> [String: ParamValue] { testSchema.spec(for: stage)?.defaults ?? [:] }
        XCTAssertEqual(defaults("load"), ["dataset": "mnist", "validation_split": 0.2])
        XCTAssertEqual(defaults("eda"), ["samples": 25, "mean_images": true])
        XCTAssertEqual(defaults("preprocess"), ["normalize": "scale", "one_hot": true, "augment": false])
        XCTAssertEqual(defaults("build")["name"], "MNIST_CNN")
        XCTAssertEqual(defaults("build")["diagram"], ["rankdir": "TB", "show_shapes": true])
        let train = defaults("train")
        XCTAssertEqual(train["optimizer"], "adam")
        XCTAssertEqual(train["learning_rate"], 0.001)
        XCTAssertEqual(train["momentum"], 0.0)
        XCTAssertEqual(train["batch_size"], 64)
        XCTAssertEqual(train["epochs"], 20)
        XCTAssertEqual(train["shuffle"], true)
        XCTAssertEqual(train["ensemble"], false)
        XCTAssertEqual(defaults("evaluate"), ["split": "test"])
        XCTAssertEqual(defaults("error-analysis"), ["show": 25, "top_confusions": 10])
        XCTAssertEqual(defaults("save"), ["name": "mnist_cnn", "formats": ["mnistbook", "onnx"], "demo": 10, "demo_pad": true, "quantize": false])
    }

    /// The reference CNN has the Keras names and 459,210 parameters (458,890 trainable).
    func testReferenceCNN() {
        let layers = LayerSchema.referenceLayers.listValue ?? []
        XCTAssertEqual(layers.compactMap { $0["name"]?.stringValue },
                       ["conv1", "bn1", "pool1", "conv2", "bn2", "pool2", "conv3", "bn3", "flatten", "dense1", "dropout", "output"])
        var side = 28, channels = 1, features = 0, total = 0, nonTrainable = 0
        for layer in layers {
            switch layer["type"]?.stringValue {
            case "conv2d":
                XCTAssertEqual(layer["padding"], "same")
                XCTAssertEqual(layer["activation"], "relu")
                let filters = layer["filters"]!.intValue!, kernel = layer["kernel"]!.intValue!
                total += kernel * kernel * channels * filters + filters
                channels = filters
            case "batchnorm":
                total += 4 * channels
                nonTrainable += 2 * channels
            case "maxpool":
                side /= layer["pool"]!.intValue!
            case "flatten":
                features = side * side * channels
            case "dense":
                let units = layer["units"]!.intValue!
                total += features * units + units
                features = units
            case "dropout":
                XCTAssertEqual(layer["rate"], 0.5)
            default:
                XCTFail("unexpected layer \(layer)")
            }
        }
        XCTAssertEqual(total, 459_210)
        XCTAssertEqual(total - nonTrainable, 458_890)
        XCTAssertEqual(layers.last?["activation"], "softmax")
    }

    func testDescribeListsEveryStageAndParameter() {
        let text = testSchema.describe(stage: nil)
        for stage in testSchema.stages {
            XCTAssertTrue(text.contains("\(stage.name): \(stage.summary)"), stage.name)
            for parameter in stage.parameters {
                XCTAssertTrue(text.contains("  \(parameter.name) "), "\(stage.name).\(parameter.name)")
                for member in parameter.members ?? [] {
                    XCTAssertTrue(text.contains("  \(parameter.name).\(member.name) "), "\(parameter.name).\(member.name)")
                }
            }
        }
        for layer in testSchema.layers {
            XCTAssertTrue(text.contains("\(layer.type): "), layer.type)
            for parameter in layer.parameters {
                XCTAssertTrue(text.contains("  \(parameter.name) "), "\(layer.type).\(parameter.name)")
            }
        }
        // Columns are as wide as the stage's widest entry (limit_train's "int in [1, 100000000]").
        let split = text.split(separator: "\n").first { $0.hasPrefix("  validation_split ") }.map(String.init) ?? ""
        XCTAssertNotNil(split.range(of: #"^  validation_split +number in \[0, 1\) +0\.2 +fraction"#, options: .regularExpression), text)
        XCTAssertTrue(text.contains("  epochs "), text)
    }

    func testDescribeOneStage() {
        let train = testSchema.describe(stage: "train")
        XCTAssertTrue(train.hasPrefix("train: Fit the model"), train)
        XCTAssertTrue(train.contains("early_stopping.patience"), train)
        XCTAssertFalse(train.contains("dataset"), train)
        XCTAssertTrue(testSchema.describe(stage: "build").contains("conv2d: 2-D convolution"))
        XCTAssertTrue(testSchema.describe(stage: "dropout").hasPrefix("dropout: dropout while training (Keras Dropout)"))
        XCTAssertEqual(testSchema.describe(stage: "trian"), "unknown stage 'trian' (did you mean 'train'?)\n")
    }

    func testCanonicalFormIsDeterministic() {
        let value: ParamValue = ["b": 1, "a": [true, "x\"y"], "c": 0.001, "d": ["z": 1e-6, "y": 2.0]]
        XCTAssertEqual(value.canonical, #"{"a":[true,"x\"y"],"b":1,"c":0.001,"d":{"y":2.0,"z":1e-06}}"#)
        XCTAssertEqual(value.yaml, #"{a: [true, "x\"y"], b: 1, c: 0.001, d: {y: 2, z: 1e-06}}"#)
        XCTAssertEqual(ParamValue.double(0.5).doubleValue, 0.5)
        XCTAssertEqual(ParamValue.int(3).doubleValue, 3)
        XCTAssertNil(ParamValue.string("3").intValue)
    }

    func testDidYouMean() {
        XCTAssertEqual(editDistance("trian", "train"), 1)
        XCTAssertEqual(editDistance("epocs", "epochs"), 1)
        XCTAssertEqual(closestMatch(to: "epocs", in: ["batch_size", "epochs"]), "epochs")
        XCTAssertEqual(closestMatch(to: "epo", in: ["batch_size", "epochs"]), "epochs")
        XCTAssertEqual(closestMatch(to: "Adam", in: ["adam", "sgd"]), "adam")
        XCTAssertNil(closestMatch(to: "colour", in: ["dataset", "limit_train"]))
        XCTAssertNil(closestMatch(to: "xy", in: ["show"]))
    }
}
