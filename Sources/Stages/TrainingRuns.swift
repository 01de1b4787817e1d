import Foundation
import NeuralNet
import Notebook
import Report

/// One train step of a render: a run. Its effective parameters (the preprocess, build and train
/// steps that made it), how training went, and the test score of the evaluate step that scored its
/// model. metrics.json's `"runs"` and the report's closing table of runs are made from these.
struct TrainingRun {
    var id: String?
    /// The train step's line.
    var line: Int
    /// The build step's model name and line.
    var model: String?
    var buildLine: Int?
    /// The line of the train step this one continues (`continue: true`).
    var continues: Int?
    /// "preprocess", "build", "train" → that step's effective parameters.
    var params: [String: ParamValue]
    var history: History?
    var bestEpoch: Int?
    var seconds: Double?
    var testAccuracy: Double?
    var testLoss: Double?
    /// An ensemble's members' test scores (the run's test accuracy is the ensemble's).
    var members: [MemberScore]?
    /// `train.repeat`: every seed's result.
    var seeds: [SeedResult]?
    var failed = false

    /// How the report and the file names call it: the id, else the model's name.
    var name: String { id ?? model ?? "line \(line)" }
    /// `training_history_<suffix>.json`.
    var fileSuffix: String { id ?? "line\(line)" }
    var historyFile: String { "training_history_\(fileSuffix).json" }

    var epochsRun: Int? { history?.epochs.count }
    var valAccuracy: Double? { bestLog?.valAccuracy ?? history?.epochs.last?.valAccuracy }
    var valLoss: Double? { bestLog?.valLoss ?? history?.epochs.last?.valLoss }
    /// The epoch whose weights the model kept (the restored best one, or the last).
    private var bestLog: EpochLog? {
        guard let history else { return nil }
        return history.epochs.first { $0.epoch == history.finalWeightsEpoch }
    }
}

/// The runs of a render in notebook order, and which run's model each later step uses.
struct RunLedger {
    private(set) var runs: [TrainingRun] = []
    /// The run whose model the workspace holds; nil before the first train step and after a build.
    private(set) var current: Int?
    private var lastBuild: ValidatedStep?
    private var lastPreprocess: ValidatedStep?
    /// By line: the run whose model a step that uses the model used (metrics.json's steps' "run").
    private(set) var runOfStep: [Int: String] = [:]
    /// Whether the notebook has more than one train step: only then do steps name their run.
    let several: Bool

    init(steps: [ValidatedStep]) {
        several = steps.filter { $0.stage == StageName.train.rawValue }.count > 1
    }

    /// Step `step` has finished (ran, or came from the cache) with `facts` as they stand after it;
    /// `training` is what a train step left (its history, best epoch and time), nil when it failed.
    mutating func finished(_ step: ValidatedStep, facts: MetricsFacts, training: TrainingSummary?, failed: Bool) {
        if Self.modelReaders.contains(step.stage), let run = currentRun { runOfStep[step.line] = run.name }
        switch step.stage {
        case StageName.preprocess.rawValue:
            lastPreprocess = step
        case StageName.build.rawValue:
            lastBuild = step
            current = nil
        case StageName.train.rawValue:
            var params: [String: ParamValue] = ["train": .map(step.params)]
            if let build = lastBuild { params["build"] = .map(build.params) }
            if let preprocess = lastPreprocess { params["preprocess"] = .map(preprocess.params) }
            let continued = step.bool("continue") ? current.map { runs[$0].line } : nil
            runs.append(TrainingRun(id: step.id, line: step.line, model: lastBuild?.params["name"]?.stringValue,
                                    buildLine: lastBuild?.line, continues: continued, params: params,
                                    history: training?.history, bestEpoch: training?.bestEpoch, seconds: training?.seconds,
                                    seeds: failed ? nil : facts.repeats, failed: failed))
            current = runs.count - 1
        case StageName.evaluate.rawValue:
            guard let current, !failed, let accuracy = facts.testAccuracy else { break }
            runs[current].testAccuracy = accuracy
            runs[current].testLoss = facts.testLoss
            runs[current].members = facts.ensembleMembers
        default:
            break
        }
    }

    /// Each run's `training_history_<id or lineN>.json`, when there are several.
    var historyArtifacts: [Artifact] {
        guard several else { return [] }
        return runs.compactMap { run in run.history.map { Artifact(name: run.historyFile, text: kerasHistoryJSON($0)) } }
    }

    /// The run whose model the workspace holds now.
    var currentRun: TrainingRun? { current.map { runs[$0] } }

    /// The line a step that uses the model shows first, when the notebook has several runs.
    func whichRun(for stage: String) -> String? {
        guard several, Self.modelReaders.contains(stage) else { return nil }
        guard let run = currentRun else {
            return lastBuild.map { "Uses the model built on line \($0.line), untrained (no train step since that build)." }
        }
        return "Uses the model of run \(run.name): the train step on line \(run.line)"
            + (run.model.map { " trained \($0)" } ?? "") + (run.buildLine.map { ", built on line \($0)" } ?? "") + "."
    }

    static let modelReaders: Set<String> = [StageName.evaluate, .errorAnalysis, .save, .inspect].map(\.rawValue).reduce(into: []) { $0.insert($1) }
}

extension TrainingRun {
    /// Every effective parameter as `stage.name` → value text, nested maps flattened
    /// (`train.early_stopping.patience`) and layers by name (`build.dropout.rate`).
    var flatParameters: [String: String] {
        var flat: [String: String] = [:]
        func add(_ prefix: String, _ value: ParamValue) {
            switch value {
            // preprocess.augment stays one value: "false" against six keys would fill the table's cell.
            case .map(let members) where !prefix.hasPrefix("preprocess."):
                for (key, member) in members { add("\(prefix).\(key)", member) }
            case .list(let items) where prefix == "build.layers":
                flat[prefix] = items.compactMap { $0["name"]?.stringValue }.joined(separator: ", ")
                for item in items {
                    guard let name = item["name"]?.stringValue, case .map(let members) = item else { continue }
                    for (key, member) in members where key != "name" { add("build.\(name).\(key)", member) }
                }
            default:
                flat[prefix] = value.shortText
            }
        }
        for (stage, value) in params { add(stage, value) }
        return flat
    }
}

extension ParamValue {
    /// `0.001`, `adam`, `[0, 7]`, `false`: a value as a table cell shows it.
    var shortText: String {
        switch self {
        case .int(let v): return "\(v)"
        case .double(let v): return compact(v)
        case .bool(let v): return "\(v)"
        case .string(let v): return v
        case .list(let items): return "[" + items.map(\.shortText).joined(separator: ", ") + "]"
        case .map(let members): return "{" + members.keys.sorted().map { "\($0): \(members[$0]!.shortText)" }.joined(separator: ", ") + "}"
        }
    }
}

/// The parameters whose values are not the same in every run (a key some run lacks counts as differing),
/// in a fixed order: train first, then build, then preprocess.
func differingParameters(_ runs: [TrainingRun]) -> [String] {
    let flats = runs.map(\.flatParameters)
    let keys = Set(flats.flatMap(\.keys))
    let order = ["train": 0, "build": 1, "preprocess": 2]
    let differing = keys.filter { key in Set(flats.map { $0[key] ?? "–" }).count > 1 }
    return differing.sorted { a, b in
        let sa = order[String(a.prefix { $0 != "." }), default: 3], sb = order[String(b.prefix { $0 != "." }), default: 3]
        return (sa, a) < (sb, b)
    }
}

/// The report's closing section when the notebook has several runs: a table of every run (name,
/// line, the parameters that differ, epochs, validation and test accuracy, time) and their curves
/// overlaid on shared axes.
func runsSection(_ runs: [TrainingRun]) -> StepSection? {
    guard runs.count > 1 else { return nil }
    let flats = runs.map(\.flatParameters)
    let all = differingParameters(runs).filter { !$0.hasPrefix("build.diagram") }
    // Layer by layer only when the runs have the same layers; else the model's name (or its layer list) says it.
    let layersDiffer = all.contains("build.layers")
    let shown = all.filter { key in
        guard key.hasPrefix("build."), key != "build.name" else { return true }
        if key == "build.layers" { return !all.contains("build.name") }
        return !layersDiffer
    }
    let rows = runs.enumerated().map { index, run -> [String] in
        let changes = shown.compactMap { key -> String? in
            guard let value = flats[index][key] else { return nil }
            return "\(key) \(value)"
        }
        var test = run.testAccuracy.map { percent($0, digits: 2) } ?? "–"
        if let members = run.members, let first = members.first {
            // Member 1 is the single model trained with the notebook's seed: a variant of its own (beyond-99's augmented CNN).
            test += " (ensemble of \(members.count); member 1 alone \(percent(first.accuracy, digits: 2)))"
        }
        if let seeds = run.seeds { test += "; over \(seeds.count) seeds \(seeds.testAccuracy.percentText)" }
        if index > 0, let noise = noiseText(run, against: runs[0]) { test += "; " + noise }
        return [run.name + (run.continues.map { " (continues line \($0))" } ?? ""), "\(run.line)",
                run.failed ? "failed" : run.epochsRun.map(String.init) ?? "–",
                run.valAccuracy.map { percent($0, digits: 2) } ?? "–", test,
                run.seconds.map(secondsText) ?? "–",
                changes.isEmpty ? "–" : changes.joined(separator: "; ")]
    }
    var outputs: [Output] = [.table(Table(
        caption: "Every train step of this notebook is a run: the parameters that differ between them, and their results "
            + "(validation accuracy of the weights each kept; test accuracy from the evaluate step that scored its model)",
        // The results before the parameters: a long list of differences must not push them off a narrow screen.
        header: ["run", "line", "epochs", "val_accuracy", "test accuracy", "time", "parameters that differ"],
        rows: rows, alignRight: [1, 2, 3, 4, 5]))]
    outputs += overlaidCurves(runs)
    outputs.append(.note("metrics.json lists the runs under \"runs\", each with its effective parameters; each run's history is in "
        + runs.filter { $0.history != nil }.map(\.historyFile).joined(separator: ", ")
        + " (training_history.json is the last run's, as with one run)."))
    var section = StepSection(stage: "runs", title: "All runs", line: 0, outputs: outputs, id: "runs")
    // Its header names the runs it sums up; a step's "line N" would point at no block of the notebook.
    section.summary = "\(runs.count) runs of this notebook: " + runs.map(\.name).joined(separator: ", ")
    return section
}

/// `+0.40 pt against adam: within seed noise (2 × sd 0.31 pt)`: a run's test accuracy against the first run's,
/// judged by the larger seed spread either measured; nil when neither measured one or either has no score.
func noiseText(_ run: TrainingRun, against base: TrainingRun) -> String? {
    let sdA = base.seeds?.testAccuracy.sd, sdB = run.seeds?.testAccuracy.sd
    let a = base.seeds?.testAccuracy.mean ?? base.testAccuracy, b = run.seeds?.testAccuracy.mean ?? run.testAccuracy
    guard let a, let b, let within = withinSeedNoise(a, sdA: sdA, b, sdB: sdB) else { return nil }
    let larger = max(sdA ?? 0, sdB ?? 0)
    let d = (b - a) * 100
    return "\(d >= 0 ? "+" : "−")\(fixed(abs(d), 2)) pt against \(base.name): "
        + (within ? "within seed noise" : "beyond seed noise") + " (2 × sd = \(fixed(2 * larger * 100, 2)) pt)"
}

/// Each run's validation accuracy and loss (training's when there is no validation set), one series per
/// run, on shared axes.
func overlaidCurves(_ runs: [TrainingRun]) -> [Output] {
    let withHistory = runs.filter { !($0.history?.epochs.isEmpty ?? true) }
    guard !withHistory.isEmpty else { return [] }
    let validation = withHistory.allSatisfy { $0.history!.epochs.contains { $0.valLoss != nil } }
    let length = withHistory.map { $0.history!.epochs.count }.max() ?? 0
    func padded(_ values: [Double]) -> [Double] { values + Array(repeating: .nan, count: length - values.count) }
    let accuracy = withHistory.map { run in
        (name: run.name, values: padded(run.history!.epochs.map { validation ? $0.valAccuracy ?? .nan : $0.accuracy }))
    }
    let loss = withHistory.map { run in
        (name: run.name, values: padded(run.history!.epochs.map { validation ? $0.valLoss ?? .nan : $0.loss }))
    }
    let positive = loss.flatMap(\.values).filter { $0.isFinite && $0 > 0 }
    let logY = (positive.max() ?? 0) > 1000 * (positive.min() ?? .infinity)
    let prefix = validation ? "val_" : ""
    return [
        .lineChart(LineChart(title: "\(prefix)accuracy of every run", xLabel: "epoch", yLabel: "\(prefix)accuracy", series: accuracy)),
        .lineChart(LineChart(title: "\(prefix)loss of every run", xLabel: "epoch", yLabel: "\(prefix)loss", series: loss, logY: logY)),
    ]
}

/// metrics.json's `"runs"`.
func runsJSON(_ runs: [TrainingRun], several: Bool) -> JSON {
    .array(runs.map { run in
        var members: [(String, JSON)] = [
            ("id", .optional(run.id)),
            ("name", .string(run.name)),
            ("line", .int(run.line)),
            ("model", .optional(run.model)),
            ("build_line", .optional(run.buildLine)),
            ("continues", .optional(run.continues)),
            ("status", .string(run.failed ? "failed" : "ran")),
            ("params", paramJSON(.map(run.params))),
            ("epochs_run", .optional(run.epochsRun)),
            ("best_epoch", .optional(run.bestEpoch)),
            ("val_accuracy", .optional(run.valAccuracy)),
            ("val_loss", .optional(run.valLoss)),
            ("test_accuracy", .optional(run.testAccuracy)),
            ("test_loss", .optional(run.testLoss)),
            ("train_seconds", .optional(run.seconds)),
            // One run keeps today's single file; several each get their own (`RunLedger.historyArtifacts`).
            ("history", run.history == nil ? .null : .string(several ? run.historyFile : "training_history.json")),
        ]
        if let seeds = run.seeds {
            func spread(_ s: Spread?) -> JSON { s.map { .object([("mean", .number($0.mean)), ("sd", .number($0.sd))]) } ?? .null }
            // The curve each seed contributes to the report's band, under the metric's Keras name.
            let curve = run.history?.epochs.contains { $0.valAccuracy != nil } == true ? "val_accuracy" : "accuracy"
            members.append(("repeat", .object([
                ("seeds", .array(seeds.map { r in
                    .object([("seed", .int(Int(r.seed))), ("epochs_run", .int(r.epochsRun)), ("val_accuracy", .optional(r.valAccuracy)),
                             ("val_loss", .optional(r.valLoss)), ("test_accuracy", .number(r.testAccuracy)),
                             ("test_loss", .number(r.testLoss)), ("train_seconds", .number(r.seconds)),
                             ("history", .object([(curve, .array(r.curve.map { .number($0) }))]))])
                })),
                ("test_accuracy", spread(seeds.testAccuracy)), ("test_loss", spread(seeds.testLoss)),
                ("val_accuracy", spread(seeds.valAccuracy)), ("val_loss", spread(seeds.valLoss)),
                ("epochs_run", spread(seeds.epochsRun)),
            ])))
        }
        if let scores = run.members, !scores.isEmpty {
            members.append(("ensemble", .array(scores.map { .object([("seed", .int(Int($0.seed))), ("test_accuracy", .number($0.accuracy))]) })))
        }
        return .object(members)
    })
}
