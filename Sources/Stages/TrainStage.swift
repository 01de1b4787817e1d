import Foundation
import NeuralNet
import Notebook
import Report

extension StageName {
    public static let train = StageName(rawValue: "train")
}

/// `train`: Keras' `model.fit` with the notebook's optimizer and callbacks; shows the per-epoch
/// history, the curves with their events, and the throughput.
public struct TrainStage: Stage {
    public static let name = StageName.train
    public static let title = "Train the model"
    public static let schema: StageSpec = {
        let engine = TrainingConfiguration()
        return spec("Fit the model, with Keras-style callbacks.", needs: [.load, .build], [
            ParameterSpec("optimizer", .choice(OptimizerName.allCases.map(\.rawValue)),
                          default: .string(OptimizerName(engine.optimizer).rawValue), doc: "optimizer"),
            ParameterSpec("learning_rate", .double(.positive), default: .double(engine.learningRate), doc: "initial learning rate"),
            ParameterSpec("momentum", .double(.nonNegative), default: 0.0, doc: "momentum for sgd (and rmsprop)"),
            ParameterSpec("batch_size", .int(.size(upTo: 65_536)), default: .int(engine.batchSize), doc: "images per step"),
            ParameterSpec("epochs", .int(.size(upTo: 10_000)), default: .int(engine.epochs), doc: "maximum number of epochs"),
            ParameterSpec("shuffle", .bool, default: .bool(engine.shuffle), doc: "shuffle the training set every epoch"),
            ParameterSpec("precision", .choice(Precision.allCases.map(\.rawValue)), default: .string(engine.precision.rawValue),
                          doc: "mixed_bfloat16: convolutions in bf16 on CPUs that have it (weights, statistics, loss, optimizer in float32)"),
            ParameterSpec("track", .int(.count(upTo: TrainingTracker.maxTracked)), default: 0,
                          doc: "test digits (one of each class in turn) predicted after every epoch, shown as a timelapse; 0: none"),
            ParameterSpec("track_images", .list(.int(.nonNegative)), defaultText: "none",
                          doc: "test indices to track instead of track's choice (at most \(TrainingTracker.maxTracked))"),
            callback("early_stopping", earlyStopping(EarlyStopping()),
                     doc: "stop when the monitored value stops improving; false to disable"),
            callback("reduce_lr_on_plateau", reduceLROnPlateau(ReduceLROnPlateau()),
                     doc: "multiply the learning rate by factor on a plateau; false to disable"),
            callback("model_checkpoint", modelCheckpoint(ModelCheckpoint()), doc: "keep the best model seen; false to disable"),
            ParameterSpec("lr_schedule", .map(learningRateSchedule, canDisable: true), default: false,
                          doc: "the learning rate over training (Keras LearningRateScheduler / CosineDecay); replaces reduce_lr_on_plateau; false: constant"),
            ParameterSpec("ensemble", .map([
                ParameterSpec("members", .int(.size(upTo: 50)), default: 5,
                              doc: "models trained one after another; the first uses the notebook's seed, the others seed + 1000, + 2000, …"),
            ], canDisable: true), default: false,
                          doc: "train several models of the built architecture, each with its own seed; false: one"),
            ParameterSpec("repeat", .int(.size(upTo: TrainStage.maxRepeat)), default: 1,
                          doc: "train this configuration from N seeds (seed, seed + 1000, …), each scored on the test set: mean ± standard deviation; 1: once"),
            ParameterSpec("continue", .bool, default: false,
                          doc: "go on training the model the train step before this one trained (no build between them); without it that is a check error"),
        ])
    }()
    public static let reads: Set<WorkspacePart> = [.data, .preprocessing, .model]
    public static let writes: Set<WorkspacePart> = [.model, .training, .evaluations]

    /// The engine's configuration; callbacks set to false stay off. Its seed is the notebook's, set by `run`.
    var configuration: TrainingConfiguration
    /// As given: rmsprop ignores it, and says so.
    var momentum: Double
    /// `track`: how many test digits the timelapse follows, or `track_images`: which ones.
    var trackCount: Int
    var trackImages: [Int]?
    /// `ensemble.members`; 1 without an ensemble.
    var members: Int
    /// `continue: true`: this step goes on training the previous train step's model, on purpose.
    var continues: Bool
    /// `repeat`: how many seeds train this configuration; 1 without repeat.
    var repeats: Int
    /// Each repeat is a full training: 20 bounds a step's time to 20 trainings, like an ensemble's 50 members.
    static let maxRepeat = 20

    public init(_ step: ValidatedStep) {
        var c = TrainingConfiguration()
        momentum = step.double("momentum")
        members = step.mapOrOff("ensemble")?.int("members") ?? 1
        continues = step.bool("continue")
        repeats = step.int("repeat")
        switch OptimizerName(rawValue: step.string("optimizer")) ?? .adam {
        case .sgd: c.optimizer = .sgd(momentum: Float(momentum))
        case .rmsprop: c.optimizer = .rmsprop
        case .adam: c.optimizer = .adam
        }
        c.learningRate = step.double("learning_rate")
        c.batchSize = step.int("batch_size")
        c.epochs = step.int("epochs")
        c.shuffle = step.bool("shuffle")
        c.precision = Precision(rawValue: step.string("precision")) ?? .float32
        c.earlyStopping = step.mapOrOff("early_stopping").map { m in
            EarlyStopping(monitor: Monitor(rawValue: m.string("monitor")) ?? .valLoss, patience: m.int("patience"),
                          minDelta: m.double("min_delta"), restoreBestWeights: m.bool("restore_best_weights"))
        }
        c.reduceLROnPlateau = step.mapOrOff("reduce_lr_on_plateau").map { m in
            ReduceLROnPlateau(monitor: Monitor(rawValue: m.string("monitor")) ?? .valLoss, factor: m.double("factor"),
                              patience: m.int("patience"), minLR: m.double("min_lr"))
        }
        c.checkpoint = step.mapOrOff("model_checkpoint").map { m in
            ModelCheckpoint(monitor: Monitor(rawValue: m.string("monitor")) ?? .valAccuracy, saveBestOnly: m.bool("save_best_only"))
        }
        // With a schedule, check has already turned the default plateau callback off (resolvingScheduledPlateau) and fit ignores it.
        c.schedule = step.mapOrOff("lr_schedule").flatMap(Self.schedule)
        configuration = c
        trackCount = step.int("track")
        trackImages = step["track_images"]?.listValue?.compactMap(\.intValue)
    }

    /// The test digits the timelapse follows, checked against the test set.
    func trackedIndices(test: ImageSet, classes: Int) throws -> [Int] {
        guard let given = trackImages else { return TrainingTracker.defaultIndices(count: trackCount, test: test, classes: classes) }
        guard given.count <= TrainingTracker.maxTracked else {
            throw StageFailure("track_images: \(given.count) digits are too many for the timelapse; give at most \(TrainingTracker.maxTracked)")
        }
        if let bad = given.first(where: { $0 >= test.count }) {
            throw StageFailure("track_images: image \(bad) is not in the test set, which has \(test.count) images (0…\(max(test.count - 1, 0)))")
        }
        return given
    }

    /// The configuration this step trains with under `seed`.
    func configuration(seed: Int) -> TrainingConfiguration {
        var c = configuration
        c.seed = UInt64(seed)
        return c
    }

    public func capture(before: WorkspaceMark, after workspace: Workspace) -> StepState {
        guard let model = workspace.model, let summary = workspace.training else { return .none }
        return .training(TrainingState(model: model, summary: summary, ensemble: workspace.ensemble))
    }

    /// Sets the trained weights, or trains again when a later training continues from this one.
    public func restore(_ state: StepState, into workspace: inout Workspace, _ context: RestoreContext) throws {
        if context.runAgain {
            context.stage.message("running the cached '\(Self.name)' step on line \(context.line) again: the training after it continues from it exactly")
            _ = try run(&workspace, context.stage)
            return
        }
        guard case .training(let trained) = state else { return }
        let model = try workspace.requireModel(for: Self.name)
        let weights = trained.weights
        let current = model.weights()
        guard weights.count == current.count, zip(weights, current).allSatisfy({ $0.shape == $1.shape }) else {
            throw CacheEntryProblem("the cached weights do not fit the model \(model.name)")
        }
        model.setWeights(weights)
        workspace.ensemble = nil
        if let seeds = trained.memberSeeds, let others = trained.memberWeights, seeds.count == others.count + 1 {
            var members = [model]
            for (seed, weights) in zip(seeds.dropFirst(), others) {
                let member = try Model(name: model.name, inputShape: model.inputShape, layers: model.specs, seed: seed)
                guard weights.count == member.parameters.count,
                      zip(weights, member.weights()).allSatisfy({ $0.shape == $1.shape }) else {
                    throw CacheEntryProblem("the cached weights of ensemble member seed \(seed) do not fit the model \(model.name)")
                }
                member.setWeights(weights)
                members.append(member)
            }
            workspace.ensemble = Ensemble(members: members, seeds: seeds)
        }
        workspace.training = TrainingSummary(history: trained.history, bestEpoch: trained.bestEpoch, seconds: trained.seconds)
        workspace.evaluations = [:]
        workspace.lastEvaluatedSplit = nil
    }

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        let data = try workspace.requireData(for: Self.name)
        let model = try workspace.requireModel(for: Self.name)
        var configuration = configuration(seed: context.seed)
        configuration.augmentation = workspace.preprocessing?.augmentation
        // Bounds and memory for this batch size on the real input (a folder dataset's shape is known only now).
        do throws(LayerProblem) {
            try checkLayerShapes(model.specs, inputShape: model.inputShape, classes: nil, batchSize: configuration.batchSize)
        } catch {
            throw StageFailure(error.description)
        }
        let validation = data.validation.count > 0 ? data.validation : nil
        var outputs: [Output] = [.keyValues(title: "Training setup", setupRows(configuration, data: data,
                                                                        oneHot: workspace.preprocessing?.oneHot ?? true))]
        if workspace.preprocessing == nil {
            outputs.append(.note("There is no preprocess step before this one, so the model trains on raw pixel values 0–255."))
        }
        if continues {
            let earlier = context.notebookSteps.prefix(context.stepIndex).last { $0.stage == Self.name.rawValue }
            outputs.append(.note("continue: true — this step goes on training the model "
                + (earlier.map { "the train step on line \($0.line) trained" } ?? "built above")
                + ", from the weights it left (a new optimizer, the same seed), rather than a freshly built one."))
        }
        if configuration.optimizer == .rmsprop && momentum > 0 {
            outputs.append(.note("momentum \(compact(momentum)) is not used: rmsprop here is Keras' default RMSprop without momentum."))
        }
        if validation == nil {
            let watching = [configuration.earlyStopping?.monitor, configuration.reduceLROnPlateau?.monitor,
                            configuration.checkpoint?.monitor].compactMap { $0 }.filter { $0.rawValue.hasPrefix("val_") }
            if !watching.isEmpty {
                outputs.append(.note("There is no validation set (validation_split is 0), so callbacks watching "
                    + Set(watching.map(\.rawValue)).sorted().joined(separator: " and ") + " never act; Keras warns the same."))
            }
        }

        // Keep the epochs as they finish, so a run that fails part-way still shows them.
        var finished: [EpochLog] = []
        var events: [TrainingEvent] = []
        var observer = context.training
        let forwardEpoch = observer.epochEnded, forwardEvent = observer.event
        let tracked = try trackedIndices(test: data.test, classes: model.classes)
        let tracker = tracked.isEmpty ? nil : TrainingTracker(model: model, test: data.test, indices: tracked, validation: validation)
        observer.epochEnded = { log in finished.append(log); tracker?.epochEnded(); forwardEpoch(log) }
        observer.event = { event in events.append(event); forwardEvent(event) }

        let start = Date()
        let history: History
        do {
            history = try fit(model, training: data.train, validation: validation, configuration: configuration, observer: observer)
        } catch {
            var partial = outputs
            if !finished.isEmpty {
                partial.append(.table(epochTable(finished, events: events, bestEpoch: nil)))
            }
            partial += events.map { .note($0.description) }
            partial += tracker?.outputs(test: data.test, classNames: data.classNames) ?? []
            // `fit` throws only TrainingError, so `error` is one.
            var nonFinite = false
            if case .nonFiniteLoss = error { nonFinite = true }
            partial += diagnosisOutputs([Diagnosis.divergence(finished, learningRate: configuration.learningRate,
                                                              failedWithNonFiniteLoss: nonFinite, classes: data.classNames.count)].compactMap { $0 })
            throw StageFailure("training stopped: \(error)", outputs: partial)
        }
        let seconds = Date().timeIntervalSince(start)
        if let note = history.precisionNote { outputs.append(.note(note)) }
        // A diverged run has no good epoch: its table, charts and result mark none (metrics.json keeps the lowest loss's).
        let diverged = Diagnosis.divergence(history.epochs, learningRate: configuration.learningRate, classes: data.classNames.count) != nil
        let best = bestEpoch(history)
        let shownBest = diverged ? nil : best
        workspace.training = TrainingSummary(history: history, bestEpoch: best, seconds: seconds)
        workspace.evaluations = [:]
        workspace.lastEvaluatedSplit = nil
        workspace.ensemble = nil
        workspace.repeats = nil
        if repeats > 1 {
            let results = try repeatTraining(model, history: history, seconds: seconds, count: repeats, configuration: configuration,
                                             data: data, validation: validation, context: context)
            workspace.repeats = results
            outputs += repeatOutputs(results, validation: validation != nil)
        }
        if members > 1 {
            let (ensemble, table) = try trainEnsemble(model, first: history, seconds: seconds, members: members,
                                                      configuration: configuration, data: data, validation: validation, context: context)
            workspace.ensemble = ensemble
            outputs.append(.note("Ensemble of \(members): member 1 is the model below (seed \(configuration.seed)); members 2–\(members) "
                + "are the same architecture trained the same way from their own seeds, one after another. Averaging their "
                + "probabilities cancels much of each one's own mistakes, which differ because their initial weights, shuffles, "
                + "dropout masks and augmentation draws differ."))
            outputs.append(.table(table))
        }
        // The run's time is the whole step's: every seed's or member's fit, not member 1's alone.
        if repeats > 1 || members > 1 { workspace.training?.seconds = Date().timeIntervalSince(start) }

        outputs.append(.table(epochTable(history.epochs, events: history.events, bestEpoch: shownBest)))
        let charts = historyCharts(history, bestEpoch: shownBest)
        outputs += charts.map { .lineChart($0) }
        outputs += history.events.map { .note($0.description) }
        outputs.append(.keyValues(title: "Result", resultRows(history, bestEpoch: shownBest, seconds: seconds)))
        if let line = epochProvenance(history, bestEpoch: shownBest, configuration: configuration) { outputs.append(.note(line)) }
        outputs += tracker?.outputs(test: data.test, classNames: data.classNames) ?? []
        outputs += diagnosisOutputs(Diagnosis.training(history.epochs, events: history.events, learningRate: configuration.learningRate,
                                                       minLR: configuration.reduceLROnPlateau?.minLR,
                                                       patience: configuration.earlyStopping?.patience, classes: data.classNames.count))
        if let warning = movingAverageWarning(model, steps: history.epochs.count * batchCount(data.train.count, batchSize: configuration.batchSize)) {
            outputs.append(.warning(warning))
        }

        let artifacts = [
            Artifact(name: "training_history.json", text: kerasHistoryJSON(history)),
            Artifact(name: "training_history.svg", text: SVGChart.render(charts)),
        ]
        return StageResult(outputs: outputs, artifacts: artifacts)
    }
}

/// The optimizers a notebook names.
enum OptimizerName: String, CaseIterable {
    case adam, sgd, rmsprop

    init(_ kind: OptimizerKind) {
        switch kind {
        case .adam: self = .adam
        case .sgd: self = .sgd
        case .rmsprop: self = .rmsprop
        }
    }
}

// The callbacks' parameters, with the engine's defaults.
extension TrainStage {
    static let monitors = [Monitor.valLoss, .valAccuracy, .loss, .accuracy].map(\.rawValue)

    static func callback(_ name: String, _ members: [ParameterSpec], doc: String) -> ParameterSpec {
        ParameterSpec(name, .map(members, canDisable: true), default: .map(defaultValues(of: members)), doc: doc)
    }

    static func earlyStopping(_ d: EarlyStopping) -> [ParameterSpec] {
        [
            ParameterSpec("monitor", .choice(monitors), default: .string(d.monitor.rawValue), doc: "value watched"),
            ParameterSpec("patience", .int(.count(upTo: 10_000)), default: .int(d.patience), doc: "epochs without improvement before stopping"),
            ParameterSpec("min_delta", .double(.nonNegative), default: .double(d.minDelta),
                          doc: "smallest change that counts as improvement"),
            ParameterSpec("restore_best_weights", .bool, default: .bool(d.restoreBestWeights), doc: "end with the best epoch's weights"),
        ]
    }

    static func reduceLROnPlateau(_ d: ReduceLROnPlateau) -> [ParameterSpec] {
        [
            ParameterSpec("monitor", .choice(monitors), default: .string(d.monitor.rawValue), doc: "value watched"),
            ParameterSpec("factor", .double(.openUnit), default: .double(d.factor), doc: "multiplier for the learning rate"),
            ParameterSpec("patience", .int(.count(upTo: 10_000)), default: .int(d.patience), doc: "epochs without improvement before reducing"),
            ParameterSpec("min_lr", .double(.nonNegative), default: .double(d.minLR), doc: "lower bound of the learning rate"),
        ]
    }

    static let decayKinds = ["exponential", "cosine"]
    /// `(0, 1]`: an exponential decay's factor per epoch (1 keeps the rate constant).
    static let decayRateRange = NumberRange(lower: 0, lowerInclusive: false, upper: 1)

    /// `lr_schedule`'s members. `rate` and `min_lr` have no schema default, so check can tell a given one from an absent one.
    static let learningRateSchedule: [ParameterSpec] = [
        ParameterSpec("decay", .choice(decayKinds), defaultText: "required",
                      doc: "exponential: learning_rate × rate^epoch (epoch from 0), set at each epoch's start; "
                        + "cosine: Keras CosineDecay from learning_rate to min_lr over all epochs' steps, set at every step"),
        ParameterSpec("rate", .double(decayRateRange), defaultText: "required for exponential", doc: "exponential: the factor per epoch"),
        ParameterSpec("min_lr", .double(.nonNegative), defaultText: "0 (cosine only)",
                      doc: "cosine: the rate after the last step, below learning_rate (Keras alpha = min_lr / learning_rate)"),
    ]

    /// The schedule a validated `lr_schedule` mapping describes; nil when `decay` (or exponential's `rate`) is missing, which check reports.
    static func schedule(_ m: ValidatedMap) -> LearningRateSchedule? {
        switch m.values["decay"]?.stringValue {
        case "exponential": return m.values["rate"]?.doubleValue.map { .exponential(rate: $0) }
        case "cosine": return .cosine(minLR: m.values["min_lr"]?.doubleValue ?? 0)
        default: return nil
        }
    }

    static func modelCheckpoint(_ d: ModelCheckpoint) -> [ParameterSpec] {
        [
            ParameterSpec("monitor", .choice(monitors), default: .string(d.monitor.rawValue), doc: "value watched"),
            ParameterSpec("save_best_only", .bool, default: .bool(d.saveBestOnly), doc: "keep only the best model"),
        ]
    }
}

/// ModelCheckpoint's epoch, else the one EarlyStopping restored, else the lowest validation loss
/// (training loss without validation).
func bestEpoch(_ history: History) -> Int? {
    if let epoch = history.checkpointEpoch { return epoch }
    for event in history.events {
        if case .restoredBestWeights(let epoch) = event { return epoch }
    }
    let scored = history.epochs.map { (epoch: $0.epoch, loss: $0.valLoss ?? $0.loss) }.filter { $0.loss.isFinite }
    return scored.min { $0.loss < $1.loss }?.epoch
}

private func optimizerText(_ c: TrainingConfiguration) -> String {
    switch c.optimizer {
    case .adam: return "Adam (β1 0.9, β2 0.999, ε 1e-07)"
    case .sgd(let momentum): return momentum > 0 ? "SGD (momentum \(compact(Double(momentum))))" : "SGD"
    case .rmsprop: return "RMSprop (ρ 0.9, ε 1e-07)"
    }
}

private func setupRows(_ c: TrainingConfiguration, data: LoadedData, oneHot: Bool) -> [(String, String)] {
    let steps = batchCount(data.train.count, batchSize: c.batchSize)
    var rows: [(String, String)] = [
        ("optimizer", optimizerText(c)),
        ("learning rate", learningRateText(c.learningRate)),
        // The same numbers either way; the name follows preprocess's label encoding, as Keras' would.
        ("loss", oneHot ? "categorical_crossentropy (one-hot labels)" : "sparse_categorical_crossentropy (integer labels)"),
        ("batch size", "\(c.batchSize): \(groupThousands(steps)) steps per epoch over \(groupThousands(data.train.count)) images"),
        ("epochs", "at most \(c.epochs)"),
        ("validation", data.validation.count > 0 ? "\(groupThousands(data.validation.count)) images, after every epoch" : "none"),
        ("shuffle", c.shuffle ? "every epoch, seed \(c.seed)" : "no"),
        ("precision", c.precision.rawValue),
    ]
    rows.append(("EarlyStopping", c.earlyStopping.map {
        "monitor \($0.monitor.rawValue), patience \($0.patience), min_delta \(compact($0.minDelta)), "
            + "restore_best_weights \($0.restoreBestWeights)"
    } ?? "off"))
    if let schedule = c.schedule {
        rows.append(("learning rate schedule", scheduleText(schedule, c, steps: steps)))
    }
    rows.append(("ReduceLROnPlateau", c.reduceLROnPlateau.map {
        "monitor \($0.monitor.rawValue), factor \(compact($0.factor)), patience \($0.patience), min_lr \(learningRateText($0.minLR))"
    } ?? (c.schedule != nil ? "off (lr_schedule sets the rate)" : "off")))
    rows.append(("ModelCheckpoint", c.checkpoint.map {
        "monitor \($0.monitor.rawValue), save_best_only \($0.saveBestOnly)"
    } ?? "off"))
    return rows
}

/// The schedule in words, with the figures a reader would otherwise work out.
func scheduleText(_ schedule: LearningRateSchedule, _ c: TrainingConfiguration, steps: Int) -> String {
    switch schedule {
    case .exponential(let rate):
        return "exponential: \(learningRateText(c.learningRate)) × \(compact(rate))^(epoch − 1), set at each epoch's start "
            + "(epoch \(c.epochs): \(learningRateText(schedule.learningRate(initial: c.learningRate, step: (c.epochs - 1) * steps, stepsPerEpoch: steps, epochs: c.epochs))))"
    case .cosine(let minLR):
        return "cosine: from \(learningRateText(c.learningRate)) to \(learningRateText(minLR)) over \(c.epochs) epochs "
            + "(\(groupThousands(c.epochs * steps)) steps), set at every step (Keras CosineDecay, alpha \(compact(minLR / c.learningRate))); "
            + "the lr column shows each epoch's last step"
    }
}

/// Which callback chose "best epoch" and where the final weights come from, in one line: "best epoch 9"
/// beside "weights from epoch 8" is otherwise a puzzle.
func epochProvenance(_ history: History, bestEpoch: Int?, configuration c: TrainingConfiguration) -> String? {
    guard let bestEpoch else { return nil }
    let restored = history.events.compactMap { event -> Int? in
        if case .restoredBestWeights(let epoch) = event { return epoch }
        return nil
    }.last
    let best: String
    if history.checkpointEpoch != nil, let checkpoint = c.checkpoint {
        best = "Best epoch \(bestEpoch) was chosen by ModelCheckpoint (best \(checkpoint.monitor.rawValue)), whose weights save writes as the _best model"
    } else if let restored, let stopping = c.earlyStopping {
        best = "Best epoch \(restored) was chosen by EarlyStopping (best \(stopping.monitor.rawValue))"
    } else {
        best = "Best epoch \(bestEpoch) has the lowest \(history.epochs.contains { $0.valLoss != nil } ? "val_loss" : "loss") (no callback chose one)"
    }
    let final: String
    if let restored, let stopping = c.earlyStopping {
        final = "the final weights are from epoch \(restored), restored by EarlyStopping (best \(stopping.monitor.rawValue))"
    } else {
        final = "the final weights are from the last epoch, \(history.finalWeightsEpoch)"
    }
    return best + "; " + final + "."
}

/// The per-epoch table, with what the callbacks did at the end of each epoch.
func epochTable(_ epochs: [EpochLog], events: [TrainingEvent], bestEpoch: Int?) -> Table {
    func optional(_ x: Double?) -> String { x.map { fixed($0, 4) } ?? "–" }
    let rows = epochs.map { log -> [String] in
        var notes: [String] = []
        if log.epoch == bestEpoch { notes.append("best") }
        for event in events {
            switch event {
            case let .learningRateReduced(epoch, lr) where epoch == log.epoch: notes.append("lr → \(learningRateText(lr))")
            case let .stoppedEarly(epoch) where epoch == log.epoch: notes.append("stopped early")
            case let .restoredBestWeights(epoch) where epoch == log.epoch: notes.append("weights restored")
            case let .checkpoint(epoch, _, _, _) where epoch == log.epoch: notes.append("checkpoint saved")
            default: break
            }
        }
        return ["\(log.epoch)", fixed(log.loss, 4), fixed(log.accuracy, 4), optional(log.valLoss), optional(log.valAccuracy),
                learningRateText(log.learningRate), fixed(log.seconds, 1), notes.joined(separator: ", ")]
    }
    return Table(caption: "History", header: ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds", "events"],
                 rows: rows, alignRight: [0, 1, 2, 3, 4, 5, 6])
}

/// Loss and accuracy curves, with markers where the learning rate was reduced and at the best epoch.
func historyCharts(_ history: History, bestEpoch: Int?) -> [LineChart] {
    var markers: [(x: Int, label: String)] = []
    for event in history.events {
        if case let .learningRateReduced(epoch, lr) = event { markers.append((epoch, "LR → \(learningRateText(lr))")) }
    }
    if let bestEpoch { markers.append((bestEpoch, "best epoch \(bestEpoch)")) }
    let hasValidation = history.epochs.contains { $0.valLoss != nil }
    var loss: [(name: String, values: [Double])] = [("loss", history.epochs.map(\.loss))]
    var accuracy: [(name: String, values: [Double])] = [("accuracy", history.epochs.map(\.accuracy))]
    if hasValidation {
        loss.append(("val_loss", history.epochs.map { $0.valLoss ?? .nan }))
        accuracy.append(("val_accuracy", history.epochs.map { $0.valAccuracy ?? .nan }))
    }
    // A diverging run's losses span many decades (1e-1 … 1e30): only a log axis shows them all.
    let positive = loss.flatMap(\.values).filter { $0.isFinite && $0 > 0 }
    let logY = (positive.max() ?? 0) > 1e6 || (positive.max() ?? 0) > 1000 * (positive.min() ?? .infinity)
    return [
        LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss", series: loss, markers: markers, logY: logY),
        LineChart(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy", series: accuracy, markers: markers),
    ]
}

private func resultRows(_ history: History, bestEpoch: Int?, seconds: Double) -> [(String, String)] {
    var rows: [(String, String)] = [
        ("epochs run", "\(history.epochs.count)" + (history.stoppedEarly ? " (stopped early)" : "")),
        ("final weights", "from epoch \(history.finalWeightsEpoch)"),
    ]
    if let bestEpoch, let log = history.epochs.first(where: { $0.epoch == bestEpoch }) {
        var text = "\(bestEpoch): loss \(fixed(log.loss, 4)), accuracy \(fixed(log.accuracy, 4))"
        if let vl = log.valLoss, let va = log.valAccuracy { text += ", val_loss \(fixed(vl, 4)), val_accuracy \(fixed(va, 4))" }
        rows.append(("best epoch", text))
    }
    if let epoch = history.checkpointEpoch { rows.append(("best checkpoint", "weights of epoch \(epoch), kept for save")) }
    rows.append(("training time", "\(secondsText(seconds)) in total, \(secondsText(history.trainSeconds)) in training steps"))
    rows.append(("throughput", "\(groupThousands(Int(history.imagesPerSecond.rounded()))) training images/s "
        + "(\(groupThousands(history.trainImages)) images in \(secondsText(history.trainSeconds)))"))
    return rows
}

/// `history.history` as Keras' json.dump writes it: one list per metric, one value per epoch.
func kerasHistoryJSON(_ history: History) -> String {
    func list(_ values: [Double]) -> String {
        "[" + values.map(jsonNumber).joined(separator: ", ") + "]"
    }
    var members: [(String, [Double])] = [("loss", history.epochs.map(\.loss)), ("accuracy", history.epochs.map(\.accuracy))]
    if history.epochs.contains(where: { $0.valLoss != nil }) {
        members.append(("val_loss", history.epochs.map { $0.valLoss ?? .nan }))
        members.append(("val_accuracy", history.epochs.map { $0.valAccuracy ?? .nan }))
    }
    // The rate is float32 in the optimizer; its shortest float32 text (0.001, not 0.0010000000474974513).
    let rates = "[" + history.epochs.map { Float($0.learningRate).isFinite ? "\(Float($0.learningRate))" : "null" }
        .joined(separator: ", ") + "]"
    return "{" + members.map { "\"\($0.0)\": \(list($0.1))" }.joined(separator: ", ")
        + ", \"learning_rate\": \(rates)}\n"
}

/// Batch normalisation infers with moving averages that move by (1 − momentum) per step from 0 and 1.
/// After few steps they are still mostly their initial values, and validation and test scores can sit
/// near chance while training accuracy is high; warn when more than 5% of the start remains.
func movingAverageWarning(_ model: Model, steps: Int) -> String? {
    let momenta = model.specs.compactMap { spec -> Float? in
        if case let .batchnorm(_, momentum, _) = spec { return momentum }
        return nil
    }
    guard let momentum = momenta.max(), steps > 0 else { return nil }
    let remaining = pow(Double(momentum), Double(steps))
    guard remaining > 0.05 else { return nil }
    return "BatchNormalization's moving averages (momentum \(compact(Double(momentum)))) have seen \(groupThousands(steps)) steps, "
        + "so \(percent(remaining, digits: 0)) of them is still their initial value (mean 0, variance 1). Inference-mode scores "
        + "(val_loss, val_accuracy, evaluate) can lag far behind the training accuracy: train for more steps, on more images, "
        + "or lower the momentum (0.9 needs about 30 steps)."
}
