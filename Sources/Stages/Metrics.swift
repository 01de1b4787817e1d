import Foundation
import Notebook

/// The numbers metrics.json reports, as they stand after a step. A cached step carries the ones its
/// run left, so a render whose steps all come from the cache reports them without rebuilding the
/// workspace (they depend on exactly what the step's cache key covers).
struct MetricsFacts: Codable {
    var dataset: String?
    var trainSamples: Int?
    var valSamples: Int?
    var testSamples: Int?
    var paramsTotal: Int?
    var paramsTrainable: Int?
    var epochsRun: Int?
    var bestEpoch: Int?
    var finalWeightsEpoch: Int?
    var testAccuracy: Double?
    var testLoss: Double?
    var valAccuracy: Double?
    var valLoss: Double?
    var trainSeconds: Double?
    var trainImagesPerSecond: Double?

    init() {}

    init(_ workspace: Workspace) {
        let data = workspace.data
        let history = workspace.training?.history
        let test = workspace.evaluations[.test]
        let validation = workspace.evaluations[.validation]
        dataset = data?.name
        trainSamples = data?.train.count
        valSamples = data?.validation.count
        testSamples = data?.test.count
        paramsTotal = workspace.model?.parameterCount
        paramsTrainable = workspace.model?.trainableParameterCount
        epochsRun = history?.epochs.count
        bestEpoch = workspace.training?.bestEpoch
        finalWeightsEpoch = history?.finalWeightsEpoch
        testAccuracy = test?.accuracy
        testLoss = test?.loss
        valAccuracy = validation?.accuracy ?? history?.epochs.last?.valAccuracy
        valLoss = validation?.loss ?? history?.epochs.last?.valLoss
        trainSeconds = workspace.training?.seconds
        trainImagesPerSecond = history?.imagesPerSecond
    }
}

/// metrics.json: the render's numbers for scripts and CI, in a fixed key order. Values a notebook
/// did not produce (no evaluate step, a failed train) are null.
func metricsJSON(notebook: Notebook, facts: MetricsFacts, records: [StepRecord], totalSeconds: Double) -> String {
    let failed = records.first { $0.status == .failed }
    let object: JSON = .object([
        ("notebook", .string(notebook.path)),
        ("status", .string(failed == nil ? "complete" : "failed")),
        ("seed", .int(notebook.frontMatter.seed)),
        ("dataset", .optional(facts.dataset)),
        ("train_samples", .optional(facts.trainSamples)),
        ("val_samples", .optional(facts.valSamples)),
        ("test_samples", .optional(facts.testSamples)),
        ("params_total", .optional(facts.paramsTotal)),
        ("params_trainable", .optional(facts.paramsTrainable)),
        ("epochs_run", .optional(facts.epochsRun)),
        ("best_epoch", .optional(facts.bestEpoch)),
        ("final_weights_epoch", .optional(facts.finalWeightsEpoch)),
        ("test_accuracy", .optional(facts.testAccuracy)),
        ("test_loss", .optional(facts.testLoss)),
        ("val_accuracy", .optional(facts.valAccuracy)),
        ("val_loss", .optional(facts.valLoss)),
        ("train_seconds", .optional(facts.trainSeconds)),
        ("train_images_per_second", .optional(facts.trainImagesPerSecond)),
        ("total_seconds", .number(totalSeconds)),
        ("steps", .array(records.map { record in
            var members: [(String, JSON)] = [
                ("stage", .string(record.stage)),
                ("line", .int(record.line)),
                ("seconds", .optional(record.seconds)),
                ("cached", .bool(record.cached)),
                ("status", .string(record.status.rawValue)),
                ("computed_at", .optional(record.computedAt.map(iso8601))),
                ("cache_key", .optional(record.cacheKey)),
            ]
            if let error = record.error { members.append(("error", .string(error))) }
            return .object(members)
        })),
    ])
    return object.text() + "\n"
}

/// `2025-01-31T09:30:12Z`: when a step's outputs were computed, in UTC so it reads the same anywhere.
func iso8601(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
}
