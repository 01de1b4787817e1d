import Notebook
import Report

/// The results each stage offers to `expect:`, read from the metrics after the step (so a cached step
/// is checked the same way), with the same names as metrics.json.
enum ExpectationResults {
    static let names: [StageName: [String]] = [
        .load: ["train_samples", "val_samples", "test_samples"],
        .build: ["params_total", "params_trainable"],
        .train: ["epochs_run", "best_epoch", "final_weights_epoch", "val_accuracy", "val_loss", "train_seconds", "train_images_per_second"],
        .evaluate: ["test_accuracy", "test_loss", "val_accuracy", "val_loss"],
    ]

    /// The stage's schema with the results `check` accepts in its `expect:` and `mnistbook steps` lists.
    static func schema(of stage: any Stage.Type) -> StageSpec {
        var spec = stage.schema
        spec.results = names[stage.name] ?? []
        return spec
    }

    /// The value of `name` in the facts, nil when the run did not produce it.
    static func value(_ name: String, in f: MetricsFacts) -> Double? {
        switch name {
        case "train_samples": return f.trainSamples.map(Double.init)
        case "val_samples": return f.valSamples.map(Double.init)
        case "test_samples": return f.testSamples.map(Double.init)
        case "params_total": return f.paramsTotal.map(Double.init)
        case "params_trainable": return f.paramsTrainable.map(Double.init)
        case "epochs_run": return f.epochsRun.map(Double.init)
        case "best_epoch": return f.bestEpoch.map(Double.init)
        case "final_weights_epoch": return f.finalWeightsEpoch.map(Double.init)
        case "test_accuracy": return f.testAccuracy
        case "test_loss": return f.testLoss
        case "val_accuracy": return f.valAccuracy
        case "val_loss": return f.valLoss
        case "train_seconds": return f.trainSeconds
        case "train_images_per_second": return f.trainImagesPerSecond
        default: return nil
        }
    }
}

/// A step's `expect:` conditions checked against the metrics as they stand after it.
func expectationChecks(_ step: ValidatedStep, _ facts: MetricsFacts) -> [ExpectationCheck] {
    step.expectations.map { e in
        let value = ExpectationResults.value(e.name, in: facts)
        return ExpectationCheck(stage: step.stage, line: step.line, name: e.name, condition: e.text, value: value, passed: e.isMet(by: value))
    }
}

/// A result as metrics.json gives it: counts as integers, scores as numbers, null when not produced.
func expectationJSON(_ e: ExpectationCheck) -> JSON {
    let value: JSON
    if let v = e.value, v.isFinite {
        value = v == v.rounded() && abs(v) < 1e15 ? .int(Int(v)) : .number(v)
    } else {
        value = .null
    }
    return .object([("stage", .string(e.stage)), ("line", .int(e.line)), ("name", .string(e.name)),
                    ("condition", .string(e.condition)), ("value", value), ("passed", .bool(e.passed))])
}
