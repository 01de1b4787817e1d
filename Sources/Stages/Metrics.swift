import Foundation
import NeuralNet
import Notebook
import Report

/// The numbers metrics.json reports, as they stand after a step. A cached step carries the ones its
/// run left, so a render whose steps all come from the cache reports them without rebuilding the
/// workspace; the render takes from them only the numbers of the parts the step writes, which its
/// cache key covers (`update(from:parts:)`).
struct MetricsFacts: Codable {
    var dataset: String?
    /// `datasetDigest` of the dataset's files: tells runs on different datasets apart (compare, collate).
    var datasetSHA256: String?
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
    /// The callbacks' events during training (learning rate reduced, stopped early, …).
    var events: [TrainingEvent]?
    var tune: TuneFacts?
    var augment: Augmentation?
    var ensembleMembers: [MemberScore]?
    var ensembleAccuracy: Double?
    var quantized: QuantizedFacts?
    /// `train.repeat`: every seed's result.
    var repeats: [SeedResult]?

    init() {}

    init(_ workspace: Workspace) {
        let data = workspace.data
        let history = workspace.training?.history
        let test = workspace.evaluations[.test]
        let validation = workspace.evaluations[.validation]
        dataset = data?.name
        datasetSHA256 = data.map { datasetDigest($0.sha256) }
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
        events = history?.events
        tune = workspace.tuning
        augment = workspace.preprocessing?.augmentation
        if let test, !test.members.isEmpty {
            ensembleMembers = test.members
            ensembleAccuracy = test.accuracy
        }
        quantized = workspace.quantized
        repeats = workspace.repeats
    }

    /// Takes the numbers of the workspace parts a cached step writes from the ones its run left.
    mutating func update(from cached: MetricsFacts, parts: Set<WorkspacePart>) {
        for part in parts {
            for copy in Self.numbers(of: part) { copy(&self, cached) }
        }
    }

    private typealias Copy = (inout MetricsFacts, MetricsFacts) -> Void

    private static func copy<T>(_ field: WritableKeyPath<MetricsFacts, T>) -> Copy {
        { $0[keyPath: field] = $1[keyPath: field] }
    }

    /// The numbers a step that writes `part` sets.
    private static func numbers(of part: WorkspacePart) -> [Copy] {
        // The validation numbers fall back to the training history's: a step that writes either sets them.
        let scores = [copy(\.testAccuracy), copy(\.testLoss), copy(\.valAccuracy), copy(\.valLoss),
                      copy(\.ensembleMembers), copy(\.ensembleAccuracy)]
        switch part {
        case .data: return [copy(\.dataset), copy(\.datasetSHA256), copy(\.trainSamples), copy(\.valSamples), copy(\.testSamples)]
        case .model: return [copy(\.paramsTotal), copy(\.paramsTrainable)]
        case .tuning: return [copy(\.tune)]
        case .preprocessing: return [copy(\.augment)]
        // The save step's int8 comparison: timed in the render that ran it, kept with the files it wrote.
        case .savedFiles: return [copy(\.quantized)]
        case .training: return scores + [copy(\.epochsRun), copy(\.bestEpoch), copy(\.finalWeightsEpoch), copy(\.trainSeconds),
                                          copy(\.trainImagesPerSecond), copy(\.events), copy(\.repeats)]
        case .evaluations: return scores
        }
    }
}

/// metrics.json: the render's numbers for scripts and CI, in a fixed key order. Values a notebook
/// did not produce (no evaluate step, a failed train) are null.
/// Each step lists its effective parameters (defaults and `--set` overrides applied) under "params",
/// so `mnistbook compare` and `collate` can say what differs between two renders.
func metricsJSON(notebook: Notebook, facts: MetricsFacts, records: [StepRecord], steps: [ValidatedStep] = [],
                 totalSeconds: Double, expectations: [ExpectationCheck] = [], overrides: [String] = [],
                 ledger: RunLedger? = nil, warnings: [RenderWarning] = []) -> String {
    let stepByLine = Dictionary(steps.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
    let failed = records.first { $0.status == .failed }
    let object: JSON = .object([
        ("notebook", .string(notebook.path)),
        ("status", .string(failed == nil ? "complete" : "failed")),
        ("seed", .int(notebook.frontMatter.seed)),
        // The command line's --set flags as given, in order: with each step's params, what this render ran.
        ("overrides", .array(overrides.map { .string($0) })),
        ("dataset", .optional(facts.dataset)),
        ("dataset_sha256", .optional(facts.datasetSHA256)),
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
        // The spread over seeds of the last run trained with train.repeat (compare and sweep pages read it).
        ("test_accuracy_sd", .optional(ledger?.runs.last?.seeds.map { $0.testAccuracy.sd })),
        ("val_accuracy", .optional(facts.valAccuracy)),
        ("val_loss", .optional(facts.valLoss)),
        ("train_seconds", .optional(facts.trainSeconds)),
        ("train_images_per_second", .optional(facts.trainImagesPerSecond)),
        ("quantized", facts.quantized.map { q in
            .object([("mode", .string(q.mode)), ("test_accuracy", .number(q.testAccuracy)), ("size_bytes", .int(q.sizeBytes)),
                     ("latency_ms", .number(q.latencyMs)), ("fp32_latency_ms", .number(q.fp32LatencyMs))])
        } ?? .null),
        ("total_seconds", .number(totalSeconds)),
        ("events", .array((facts.events ?? []).map(eventJSON))),
        ("tune", facts.tune.map(tuneJSON) ?? .null),
        ("expectations", .array(expectations.map(expectationJSON))),
        // {"stage", "line", "text"}: the steps' warnings and raw HTML left out of the prose (stage "notebook").
        ("warnings", .array(warnings.map { w in
            .object([("stage", .string(w.stage.isEmpty ? "notebook" : w.stage)), ("line", .int(w.line)), ("text", .string(w.text))])
        })),
        ("augment", facts.augment.map(augmentJSON) ?? .null),
        ("ensemble", facts.ensembleMembers.map { members in
            .object([("members", .array(members.map { .object([("seed", .int(Int($0.seed))), ("test_accuracy", .number($0.accuracy))]) })),
                     ("test_accuracy", .optional(facts.ensembleAccuracy))])
        } ?? .null),
        ("runs", runsJSON(ledger?.runs ?? [], several: ledger?.several ?? false)),
        ("steps", .array(records.map { record in
            let step = stepByLine[record.line]
            var members: [(String, JSON)] = [
                ("stage", .string(record.stage)),
                ("id", .optional(step?.id)),
                ("line", .int(record.line)),
                ("seconds", .optional(record.seconds)),
                ("cached", .bool(record.cached)),
                // A cached step's outputs are a run's: "ran", and "cached" says where they came from.
                ("status", .string(record.status.succeeded ? "ran" : record.status == .failed ? "failed" : "skipped")),
                ("computed_at", .optional(record.computedAt.map(iso8601))),
                ("cache_key", .optional(record.cacheKey)),
            ]
            if let error = record.error { members.append(("error", .string(error))) }
            // The run whose model an evaluate, error-analysis, save or inspect step used.
            if let run = ledger?.runOfStep[record.line] { members.append(("run", .string(run))) }
            if let params = step?.params { members.append(("params", paramJSON(.map(params)))) }
            if let overridden = step?.overridden, !overridden.isEmpty {
                members.append(("overridden", .array(overridden.sorted().map { .string($0) })))
            }
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

/// A parameter value as JSON, map keys sorted.
func paramJSON(_ value: ParamValue) -> JSON {
    switch value {
    case .int(let v): return .int(v)
    case .double(let v): return .number(v)
    case .bool(let v): return .bool(v)
    case .string(let v): return .string(v)
    case .list(let items): return .array(items.map(paramJSON))
    case .map(let members): return .object(members.keys.sorted().map { ($0, paramJSON(members[$0]!)) })
    }
}

/// `{"kind": "learning_rate_reduced", "epoch": 7, "learning_rate": 0.0005}`: epochs 1-based, as the report shows them.
func eventJSON(_ event: TrainingEvent) -> JSON {
    switch event {
    case let .learningRateReduced(epoch, rate):
        return .object([("kind", .string("learning_rate_reduced")), ("epoch", .int(epoch)), ("learning_rate", .number(rate))])
    case let .stoppedEarly(epoch):
        return .object([("kind", .string("stopped_early")), ("epoch", .int(epoch))])
    case let .restoredBestWeights(epoch):
        return .object([("kind", .string("restored_best_weights")), ("epoch", .int(epoch))])
    case let .checkpoint(epoch, monitor, _, to):
        return .object([("kind", .string("checkpoint")), ("epoch", .int(epoch)), ("monitor", .string(monitor.rawValue)),
                        ("value", .number(to))])
    }
}

/// `"tune": {"strategy", "objective", "trials": [{"values", "objective", "epochs", "seconds"}…], "best"}`.
func tuneJSON(_ tune: TuneFacts) -> JSON {
    func trial(_ t: TrialRecord) -> JSON {
        var members: [(String, JSON)] = [
            ("trial", .int(t.number)),
            ("values", .object(t.values.keys.sorted().map { ($0, paramJSON(t.values[$0]!)) })),
            ("objective", .optional(t.objective)),
            ("epochs", .int(t.epochs)),
            ("seconds", .number(t.seconds)),
        ]
        if let bracket = t.bracket { members.append(("bracket", .int(bracket))) }
        if let round = t.round { members.append(("round", .int(round))) }
        if let continues = t.continues { members.append(("continues", .int(continues))) }
        if let failure = t.failure { members.append(("error", .string(failure))) }
        return .object(members)
    }
    return .object([
        ("strategy", .string(tune.strategy)),
        ("objective", .string(tune.objective)),
        ("trials", .array(tune.trials.map(trial))),
        ("best", tune.best.map(trial) ?? .null),
    ])
}

/// The augmentation parameters as the notebook names them.
func augmentJSON(_ a: Augmentation) -> JSON {
    .object([
        ("rotation", .number(a.rotation)), ("zoom", .number(a.zoom)),
        ("shift", .object([("x", .number(a.shiftX)), ("y", .number(a.shiftY))])), ("shear", .number(a.shear)),
        ("elastic", a.elastic.map { .object([("alpha", .number($0.alpha)), ("sigma", .number($0.sigma))]) } ?? .bool(false)),
    ])
}
