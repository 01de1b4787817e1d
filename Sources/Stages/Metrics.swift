import Foundation
import Notebook

/// metrics.json: the render's numbers for scripts and CI, in a fixed key order. Values a notebook
/// did not produce (no evaluate step, a failed train) are null.
func metricsJSON(notebook: Notebook, workspace: Workspace, records: [StepRecord], totalSeconds: Double) -> String {
    let data = workspace.data
    let model = workspace.model
    let history = workspace.training?.history
    let test = workspace.evaluations[.test]
    let validation = workspace.evaluations[.validation]
    let failed = records.first { $0.status == .failed }
    let object: JSON = .object([
        ("notebook", .string(notebook.path)),
        ("status", .string(failed == nil ? "complete" : "failed")),
        ("seed", .int(notebook.frontMatter.seed)),
        ("dataset", .optional(data?.name)),
        ("train_samples", .optional(data?.train.count)),
        ("val_samples", .optional(data?.validation.count)),
        ("test_samples", .optional(data?.test.count)),
        ("params_total", .optional(model?.parameterCount)),
        ("params_trainable", .optional(model?.trainableParameterCount)),
        ("epochs_run", .optional(history?.epochs.count)),
        ("best_epoch", .optional(workspace.training?.bestEpoch)),
        ("final_weights_epoch", .optional(history?.finalWeightsEpoch)),
        ("test_accuracy", .optional(test?.accuracy)),
        ("test_loss", .optional(test?.loss)),
        ("val_accuracy", .optional(validation?.accuracy ?? history?.epochs.last?.valAccuracy)),
        ("val_loss", .optional(validation?.loss ?? history?.epochs.last?.valLoss)),
        ("train_seconds", .optional(workspace.training?.seconds)),
        ("train_images_per_second", .optional(history?.imagesPerSecond)),
        ("total_seconds", .number(totalSeconds)),
        ("steps", .array(records.map { record in
            var members: [(String, JSON)] = [
                ("stage", .string(record.stage)),
                ("line", .int(record.line)),
                ("seconds", .optional(record.seconds)),
                ("cached", .bool(record.cached)),
                ("status", .string(record.status.rawValue)),
            ]
            if let error = record.error { members.append(("error", .string(error))) }
            return .object(members)
        })),
    ])
    return object.text() + "\n"
}
