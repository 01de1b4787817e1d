import Foundation
import NeuralNet
import Notebook
import Report
import Tensor

extension StageName {
    public static let tune = StageName(rawValue: "tune")
}

/// `tune`: Keras Tuner's RandomSearch, GridSearch or Hyperband over parameters of the build step
/// before it and the train step after it. Each trial builds the model with the trial's values (same
/// seed), trains it without callbacks, and is judged by its best epoch's objective. Every finished
/// trial is kept in the step's scratch folder, so an interrupted tune resumes where it stopped.
public struct TuneStage: Stage {
    public static let name = StageName.tune
    public static let title = "Tune the hyperparameters"
    public static let schema = spec("Search build and train parameters as Keras Tuner does; the best values go to the steps after it.",
                                    needs: [.load, .build], [
        ParameterSpec("objective", .choice(["val_accuracy", "val_loss"]), default: "val_accuracy",
                      doc: "what a trial is judged by: its best epoch's value"),
        ParameterSpec("strategy", .choice(["random", "grid", "hyperband"]), default: "random",
                      doc: "Keras Tuner's RandomSearch, GridSearch or Hyperband"),
        ParameterSpec("max_trials", .int(NumberRange(lower: 1, upper: 500)), default: 10, doc: "random: trials to run"),
        ParameterSpec("epochs", .int(NumberRange(lower: 1, upper: 1000)), default: 3, doc: "random and grid: epochs per trial"),
        ParameterSpec("max_epochs", .int(NumberRange(lower: 1, upper: 243)), default: 9,
                      doc: "hyperband: epochs of the longest trial"),
        ParameterSpec("factor", .int(NumberRange(lower: 2, upper: 10)), default: 3,
                      doc: "hyperband: 1/factor of the trials go on to the next round"),
        ParameterSpec("space", .space, required: true,
                      doc: "what to search: 'train.param', 'build.layer.param' or 'build.layers.N.param' → [values] or {uniform|log_uniform: [low, high]}"),
        ParameterSpec("apply", .bool, default: true, doc: "the following build and train use the best values"),
    ])
    public static let reads: Set<WorkspacePart> = [.data, .preprocessing, .model]
    public static let writes: Set<WorkspacePart> = [.model, .tuning]

    var line: Int
    var objective: String
    var strategy: String
    var maxTrials: Int
    var epochs: Int
    var maxEpochs: Int
    var factor: Int
    var space: ParamValue?
    var apply: Bool

    public init(_ step: ValidatedStep) {
        line = step.line
        objective = step.string("objective")
        strategy = step.string("strategy")
        maxTrials = step.int("max_trials")
        epochs = step.int("epochs")
        maxEpochs = step.int("max_epochs")
        factor = step.int("factor")
        space = step["space"]
        apply = step.bool("apply")
    }

    /// The train parameters trials do not use (they train without callbacks, for their own epochs):
    /// the rest of the following train step is part of what a tune's result depends on (its cache key).
    static let unusedTrainParameters: Set<String> = ["epochs", "early_stopping", "reduce_lr_on_plateau", "model_checkpoint"]

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        let data = try workspace.requireData(for: Self.name)
        _ = try workspace.requireModel(for: Self.name)
        guard data.validation.count > 0 else {
            throw StageFailure("'tune' judges trials on the validation set, and validation_split is 0: set it above 0 in the load step")
        }
        guard let (build, train) = neighbours(context) else {
            throw StageFailure("'tune' needs a 'build' step before it and a 'train' step after it")
        }
        let search = TuneSearch(tune: self, build: build, train: train, data: data, seed: context.seed,
                                store: context.scratchFolder.map(TrialStore.init), message: context.message)
        let result = try search.run()
        let best = result.best
        let applied = apply ? best.map { TunedValues(line: line, values: $0.values) } : nil
        if let applied, applied.values.keys.contains(where: { $0.hasPrefix("build.") }) {
            workspace.setModel(try BuildStage(applied.applied(to: build)).model(inputShape: data.imageShape,
                                                                                classes: data.classNames.count, seed: context.seed))
        }
        workspace.tuning = TuneFacts(result, objective: objective)
        workspace.tuned = applied
        context.scratchFolder.map(TrialStore.init)?.remove()
        return StageResult(outputs: tuneOutputs(result, tune: self, train: train, applied: applied))
    }

    public func capture(before: WorkspaceMark, after workspace: Workspace) -> StepState {
        workspace.tuning.map { .tuning(TuneState(facts: $0, applied: workspace.tuned)) } ?? .none
    }

    /// The trials and best values; the tuned model is the build step's with the best values, rebuilt as build's is.
    public func restore(_ state: StepState, into workspace: inout Workspace, _ context: RestoreContext) throws {
        guard case .tuning(let tune) = state else { return }
        workspace.tuning = tune.facts
        workspace.tuned = tune.applied
        if let applied = tune.applied, !applied.names(for: "build").isEmpty, let (build, _) = neighbours(context.stage) {
            let inputShape = workspace.data?.imageShape ?? defaultInputShape
            workspace.setModel(try BuildStage(applied.applied(to: build)).model(inputShape: inputShape,
                                                                                classes: workspace.data?.classNames.count, seed: context.stage.seed))
            workspace.tuning = tune.facts
            workspace.tuned = tune.applied
        }
    }

    /// The build step before this one and the train step after it.
    private func neighbours(_ context: StageContext) -> (build: ValidatedStep, train: ValidatedStep)? {
        let steps = context.notebookSteps
        guard let build = steps[..<min(context.stepIndex, steps.count)].last(where: { $0.stage == StageName.build.rawValue }),
              let train = steps.dropFirst(context.stepIndex + 1).first(where: { $0.stage == StageName.train.rawValue }) else { return nil }
        return (build, train)
    }
}

/// The best values of a tune step, for the steps after it.
public struct TunedValues: Codable, Sendable, Equatable {
    /// The tune step's line, for "tuned on line N".
    public var line: Int
    /// `train.learning_rate` → 0.003, `build.dense1.units` → 256.
    public var values: [String: ParamValue]

    /// The names this sets in a step of `stage` (`learning_rate`, `early_stopping.patience`, `layers`).
    func names(for stage: String) -> [String] {
        values.keys.filter { $0.hasPrefix(stage + ".") }.map { String($0.dropFirst(stage.count + 1)) }.sorted()
    }

    /// The step with the values for its stage put in: train parameters and members by name, build
    /// layer parameters in the layer of that name or index.
    func applied(to step: ValidatedStep) -> ValidatedStep {
        var step = step
        for (name, value) in values where name.hasPrefix(step.stage + ".") {
            let path = name.split(separator: ".").dropFirst().map(String.init)
            if step.stage == "build", let named = searchedLayerParameter(name), var layers = step.params["layers"]?.listValue {
                if let i = named.layer.find(in: layers) {
                    var members = layers[i].mapValue ?? [:]
                    members[named.parameter] = typed(value, like: members[named.parameter])
                    layers[i] = .map(members)
                }
                step.params["layers"] = .list(layers)
            } else if path.count == 2 {
                var members = step.params[path[0]]?.mapValue ?? [:]
                members[path[1]] = typed(value, like: members[path[1]])
                step.params[path[0]] = .map(members)
            } else if path.count == 1 {
                step.params[path[0]] = typed(value, like: step.params[path[0]])
            }
        }
        return step
    }
}

/// A searched number in the type the parameter has: `1` for a rate is 1.0, `64.0` for a size is 64.
private func typed(_ value: ParamValue, like current: ParamValue?) -> ParamValue {
    switch (value, current) {
    case (.int(let v), .double?): return .double(Double(v))
    case (.double(let v), .int?) where v == v.rounded(): return .int(Int(v))
    default: return value
    }
}

/// One trial as the report and metrics.json show it.
public struct TrialRecord: Codable, Sendable, Equatable {
    public var number: Int
    public var values: [String: ParamValue]
    /// Best epoch's objective; nil when training failed (a non-finite loss).
    public var objective: Double?
    /// Epochs the trial's model has trained in all (for Hyperband, counting the trial it continues).
    public var epochs: Int
    public var seconds: Double
    /// Hyperband: bracket, round, and the trial it continues.
    public var bracket: Int?
    public var round: Int?
    public var continues: Int?
    public var failure: String?
}

/// What a tune step found.
public struct TuneOutcome: Sendable {
    public var strategy: String
    public var objective: String
    public var dimensions: [SearchDimension]
    public var trials: [TrialRecord]
    public var schedule: HyperbandSchedule?
    /// Trials read back from an interrupted run of this step.
    public var resumed: Int

    public var maximise: Bool { objective == "val_accuracy" }

    /// The best trial; the first of equals. For Hyperband, only trials that reached max_epochs count
    /// when there are some, as Keras Tuner's best model is a fully trained one.
    public var best: TrialRecord? {
        var pool = trials.filter { $0.objective != nil }
        if let schedule, pool.contains(where: { $0.epochs == schedule.maxEpochs }) { pool = pool.filter { $0.epochs == schedule.maxEpochs } }
        return pool.reduce(nil as TrialRecord?) { best, trial in
            guard let best else { return trial }
            return isBetter(trial.objective!, than: best.objective!) ? trial : best
        }
    }

    func isBetter(_ a: Double, than b: Double) -> Bool { maximise ? a > b : a < b }

    /// Best first; failed trials last.
    public var ranked: [TrialRecord] {
        trials.sorted { a, b in
            switch (a.objective, b.objective) {
            case let (x?, y?): return x != y ? isBetter(x, than: y) : a.number < b.number
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.number < b.number
            }
        }
    }
}

/// metrics.json's "tune".
struct TuneFacts: Codable {
    var strategy: String
    var objective: String
    var trials: [TrialRecord]
    var best: TrialRecord?

    init(_ outcome: TuneOutcome, objective: String) {
        strategy = outcome.strategy
        self.objective = objective
        trials = outcome.trials
        best = outcome.best
    }
}

/// Runs the trials of one tune step.
struct TuneSearch {
    var tune: TuneStage
    var build: ValidatedStep
    var train: ValidatedStep
    var data: LoadedData
    var seed: Int
    var store: TrialStore?
    var message: (String) -> Void

    func run() throws -> TuneOutcome {
        let dimensions = searchDimensions(tune.space)
        let strategy = tune.strategy
        var outcome = TuneOutcome(strategy: strategy, objective: tune.objective, dimensions: dimensions, trials: [],
                                  schedule: nil, resumed: 0)
        switch strategy {
        case "grid":
            let plans = gridTrials(dimensions)
            for (i, values) in plans.enumerated() {
                let done = try trial(i + 1, of: plans.count, values: values, epochs: tune.epochs, outcome: &outcome)
                outcome.trials.append(done.record)
            }
        case "hyperband":
            let schedule = HyperbandSchedule(maxEpochs: tune.maxEpochs, factor: tune.factor)
            outcome.schedule = schedule
            try runHyperband(schedule, dimensions: dimensions, outcome: &outcome)
        default:
            let plans = randomTrials(dimensions, count: tune.maxTrials, seed: seed, integer: isInteger)
            for (i, values) in plans.enumerated() {
                let done = try trial(i + 1, of: plans.count, values: values, epochs: tune.epochs, outcome: &outcome)
                outcome.trials.append(done.record)
            }
        }
        return outcome
    }

    /// Bracket by bracket: round 0 draws new random values, each later round continues the best
    /// `size(s, r)` trials of the round before for the extra epochs.
    private func runHyperband(_ schedule: HyperbandSchedule, dimensions: [SearchDimension], outcome: inout TuneOutcome) throws {
        var rng = SeededGenerator.derived(seed: UInt64(bitPattern: Int64(seed)), stream: 7_000)
        var seen: Set<String> = []
        var weights: [Int: [Tensor]] = [:]
        let total = schedule.totalTrials
        for bracket in schedule.brackets {
            var previous: [TrialRecord] = []
            for (r, round) in bracket.rounds.enumerated() {
                var current: [TrialRecord] = []
                if r == 0 {
                    for _ in 0..<round.trials {
                        var values: [String: ParamValue]?
                        for _ in 0..<100 {
                            let drawn = randomValues(dimensions, integer: isInteger, using: &rng)
                            if seen.insert(ParamValue.map(drawn).canonical).inserted { values = drawn; break }
                        }
                        guard let values else { break }    // the space is exhausted, as Keras Tuner stops
                        let done = try trial(outcome.trials.count + 1, of: total, values: values, epochs: round.epochs,
                                             bracket: bracket.number, round: 0, outcome: &outcome)
                        weights[done.record.number] = done.weights
                        outcome.trials.append(done.record)
                        current.append(done.record)
                    }
                } else {
                    let ranked = TuneOutcome(strategy: "", objective: outcome.objective, dimensions: [], trials: previous,
                                             schedule: nil, resumed: 0).ranked.filter { $0.objective != nil }
                    for past in ranked.prefix(round.trials) {
                        let done = try trial(outcome.trials.count + 1, of: total, values: past.values, epochs: round.epochs,
                                             initialEpoch: past.epochs, from: weights[past.number], continues: past.number,
                                             bracket: bracket.number, round: r, outcome: &outcome)
                        weights[done.record.number] = done.weights
                        outcome.trials.append(done.record)
                        current.append(done.record)
                    }
                }
                previous = current
            }
            weights = [:]
        }
    }

    /// Whether a searched parameter is an integer one (batch size, units), so ranges draw integers.
    func isInteger(_ dimension: SearchDimension) -> Bool {
        parameterType(dimension).map { if case .int = $0 { return true }; return false } ?? false
    }

    private func parameterType(_ dimension: SearchDimension) -> ParamType? {
        let path = dimension.path
        switch dimension.stage {
        case "train":
            let spec = TrainStage.schema.parameters[named: path[0]]
            if path.count == 2, case .map(let members, _)? = spec?.type { return members[named: path[1]]?.type }
            return spec?.type
        case "build":
            let layers = build.params["layers"]?.listValue ?? []
            guard let named = searchedLayerParameter(dimension.name), let i = named.layer.find(in: layers),
                  let type = layers[i]["type"]?.stringValue else { return nil }
            return LayerSchema.layers.first { $0.type == type }?.parameters[named: named.parameter]?.type
        default:
            return nil
        }
    }

    /// One trial: read back from the store when an earlier run of this step finished it, else trained.
    private func trial(_ number: Int, of total: Int, values: [String: ParamValue], epochs: Int, initialEpoch: Int = 0,
                       from start: [Tensor]? = nil, continues: Int? = nil, bracket: Int? = nil, round: Int? = nil,
                       outcome: inout TuneOutcome) throws -> (record: TrialRecord, weights: [Tensor]?) {
        let words = describe(values)
        if let stored = store?.read(number, values: values, epochs: epochs) {
            outcome.resumed += 1
            message("trial \(number)/\(total) from the interrupted run: \(words)")
            return stored
        }
        message("trial \(number)/\(total): \(words), \(epochs - initialEpoch) epochs")
        let tuned = TunedValues(line: tune.line, values: values)
        let begin = Date()
        var record = TrialRecord(number: number, values: values, objective: nil, epochs: epochs, seconds: 0, bracket: bracket,
                                 round: round, continues: continues)
        var weights: [Tensor]?
        do {
            let model = try BuildStage(tuned.applied(to: build)).model(inputShape: data.imageShape, classes: data.classNames.count, seed: seed)
            if let start { model.setWeights(start) }
            var configuration = TrainStage(tuned.applied(to: train)).configuration(seed: seed)
            configuration.epochs = epochs - initialEpoch
            configuration.removeCallbacks()
            let history = try fit(model, training: data.train, validation: data.validation, configuration: configuration)
            let scores = history.epochs.compactMap { outcome.maximise ? $0.valAccuracy : $0.valLoss }.filter(\.isFinite)
            record.objective = outcome.maximise ? scores.max() : scores.min()
            weights = model.weights()
        } catch let failure as StageFailure {
            record.failure = failure.message
        } catch {
            record.failure = "\(error)"
        }
        record.seconds = Date().timeIntervalSince(begin)
        store?.write(record, weights: outcome.strategy == "hyperband" ? weights : nil)
        return (record, weights)
    }
}

/// `learning_rate 0.0031, dense1.units 256`.
func describe(_ values: [String: ParamValue]) -> String {
    values.keys.sorted().map { "\(shortName($0)) \(valueText(values[$0]!))" }.joined(separator: ", ")
}

/// `train.learning_rate` → `learning_rate`; `build.dense1.units` → `dense1.units`.
func shortName(_ name: String) -> String { String(name.drop { $0 != "." }.dropFirst()) }

/// Four significant digits for drawn numbers, as written otherwise.
func valueText(_ value: ParamValue) -> String {
    if case .double(let x) = value { return x == x.rounded() && abs(x) < 1e6 ? value.yaml : String(format: "%.4g", x) }
    return value.yaml
}
