import Foundation
import NeuralNet
import Notebook
import Tensor

/// A step's contribution to the workspace, as much of it as cannot be recomputed cheaply from the step
/// itself; what a cache entry keeps so that later steps can still run after a cache hit.
///
/// - load: nothing; restoring reads the dataset again (~0.2 s, and 50 MB is not worth a copy).
/// - eda, build: nothing; build's model is rebuilt from its layer specs and the seed (cheap, identical).
/// - preprocess: the normalisation.
/// - train: the trained weights, the history (with the checkpoint weights), best epoch and wall time.
/// - evaluate, and error-analysis when it scored a split itself: the evaluation (probabilities included).
/// - save: the names of the model files it wrote (their bytes are the entry's artifacts).
enum StepState: Codable {
    case none
    case preprocessing(Preprocessing)
    case training(TrainingState)
    case evaluation(Evaluation)
    case savedFiles([String])
    case tuning(TuneState)
}

/// What `tune` leaves: its trials and the values it applies.
struct TuneState: Codable {
    var facts: TuneFacts
    var applied: TunedValues?
}

/// What `train` leaves, in storable form.
struct TrainingState: Codable {
    var weights: [StoredTensor]
    var epochs: [EpochLog]
    var events: [StoredEvent]
    var finalWeightsEpoch: Int
    var checkpointEpoch: Int?
    var checkpointWeights: [StoredTensor]?
    var trainImages: Int
    var bestEpoch: Int?
    var seconds: Double

    init(model: Model, summary: TrainingSummary) {
        let history = summary.history
        weights = model.weights().map(StoredTensor.init)
        epochs = history.epochs
        events = history.events.map(StoredEvent.init)
        finalWeightsEpoch = history.finalWeightsEpoch
        checkpointEpoch = history.checkpointEpoch
        checkpointWeights = history.checkpointWeights?.map(StoredTensor.init)
        trainImages = history.trainImages
        bestEpoch = summary.bestEpoch
        seconds = summary.seconds
    }

    func record() throws -> TrainingRecord {
        TrainingRecord(epochs: epochs, events: try events.map { try $0.event() }, finalWeightsEpoch: finalWeightsEpoch,
                       checkpointEpoch: checkpointEpoch, checkpointWeights: try checkpointWeights?.map { try $0.tensor() },
                       trainImages: trainImages)
    }
}

/// A tensor's shape and its float32 scalars as little-endian bytes (base64 in the entry's JSON).
struct StoredTensor: Codable {
    var shape: [Int]
    var scalars: Data

    init(_ tensor: Tensor) {
        shape = tensor.shape
        scalars = floatBytes(tensor.scalars)
    }

    func tensor() throws -> Tensor {
        let values = try floats(scalars)
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw CacheEntryProblem("a tensor of shape \(shape) holds \(values.count) values")
        }
        return Tensor(shape: shape, scalars: values)
    }
}

/// A callback event (NeuralNet's `TrainingEvent` is not Codable).
struct StoredEvent: Codable {
    var kind: String
    var epoch: Int
    var learningRate: Double?
    var monitor: String?
    var from: Double?
    var to: Double?

    init(_ event: TrainingEvent) {
        switch event {
        case let .learningRateReduced(epoch, lr): kind = "learning_rate_reduced"; self.epoch = epoch; learningRate = lr
        case let .stoppedEarly(epoch): kind = "stopped_early"; self.epoch = epoch
        case let .restoredBestWeights(epoch): kind = "restored_best_weights"; self.epoch = epoch
        case let .checkpoint(epoch, monitor, from, to):
            kind = "checkpoint"; self.epoch = epoch; self.monitor = monitor.rawValue; self.from = from; self.to = to
        }
    }

    func event() throws -> TrainingEvent {
        switch kind {
        case "learning_rate_reduced":
            guard let learningRate else { break }
            return .learningRateReduced(epoch: epoch, to: learningRate)
        case "stopped_early": return .stoppedEarly(epoch: epoch)
        case "restored_best_weights": return .restoredBestWeights(epoch: epoch)
        case "checkpoint":
            guard let name = monitor, let monitor = Monitor(rawValue: name), let to else { break }
            return .checkpoint(epoch: epoch, monitor: monitor, from: from, to: to)
        default: break
        }
        throw CacheEntryProblem("unknown training event '\(kind)'")
    }
}

extension Evaluation: Codable {
    private enum CodingKeys: String, CodingKey { case split, loss, accuracy, probabilities, classes, labels, predictions, confusion }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(split, forKey: .split)
        try c.encode(loss, forKey: .loss)
        try c.encode(accuracy, forKey: .accuracy)
        // 100,000 floats for the MNIST test split: bytes, not a list of numbers.
        try c.encode(floatBytes(probabilities), forKey: .probabilities)
        try c.encode(classes, forKey: .classes)
        try c.encode(labels, forKey: .labels)
        try c.encode(predictions, forKey: .predictions)
        try c.encode(confusion, forKey: .confusion)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        split = try c.decode(Split.self, forKey: .split)
        loss = try c.decode(Double.self, forKey: .loss)
        accuracy = try c.decode(Double.self, forKey: .accuracy)
        probabilities = try floats(try c.decode(Data.self, forKey: .probabilities))
        classes = try c.decode(Int.self, forKey: .classes)
        labels = try c.decode([Int].self, forKey: .labels)
        predictions = try c.decode([Int].self, forKey: .predictions)
        confusion = try c.decode([[Int]].self, forKey: .confusion)
        // Later steps index these by each other; a mismatch must be an error here, not a trap there.
        guard classes > 0, probabilities.count == labels.count * classes, predictions.count == labels.count,
              predictions.allSatisfy({ (0..<classes).contains($0) }), labels.allSatisfy({ $0 >= 0 }),
              confusion.count == classes, confusion.allSatisfy({ $0.count == classes }) else {
            throw CacheEntryProblem("an evaluation of \(labels.count) images is inconsistent")
        }
    }
}

/// Float32 values as little-endian bytes.
func floatBytes(_ values: [Float]) -> Data {
    var data = Data(capacity: values.count * 4)
    for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    return data
}

func floats(_ data: Data) throws -> [Float] {
    guard data.count % 4 == 0 else { throw CacheEntryProblem("\(data.count) bytes is not a whole number of float32 values") }
    let bytes = [UInt8](data)
    return (0..<bytes.count / 4).map { i in
        Float(bitPattern: UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24)
    }
}

/// Why a cache entry cannot be used; it is then ignored and the step runs again.
struct CacheEntryProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: capture and restore

/// Where the workspace stood before a step, for the parts a step's state is the difference of.
struct WorkspaceMark {
    var lastEvaluatedSplit: Split?
    var savedFiles: Int

    init(_ workspace: Workspace) {
        lastEvaluatedSplit = workspace.lastEvaluatedSplit
        savedFiles = workspace.savedFiles.count
    }
}

/// The state a step that just ran successfully left in the workspace.
func captureState(_ step: ValidatedStep, before: WorkspaceMark, after workspace: Workspace) -> StepState {
    switch step.stage {
    case "preprocess":
        return workspace.preprocessing.map { .preprocessing($0) } ?? .none
    case "train":
        guard let model = workspace.model, let summary = workspace.training else { return .none }
        return .training(TrainingState(model: model, summary: summary))
    case "evaluate":
        return workspace.lastEvaluatedSplit.flatMap { workspace.evaluations[$0] }.map { .evaluation($0) } ?? .none
    case "error-analysis":
        // It scores the test split itself only when no evaluate step did.
        guard before.lastEvaluatedSplit == nil, let split = workspace.lastEvaluatedSplit,
              let evaluation = workspace.evaluations[split] else { return .none }
        return .evaluation(evaluation)
    case "save":
        return .savedFiles(workspace.savedFiles.dropFirst(before.savedFiles).map(\.lastPathComponent))
    case "tune":
        return workspace.tuning.map { .tuning(TuneState(facts: $0, applied: workspace.tuned)) } ?? .none
    default:
        return .none
    }
}

/// Puts a cached step's part back into the workspace, in notebook order, so a later step can run.
/// `rerunTraining` runs a cached train step again instead: see `NotebookRunner`.
func restoreState(_ step: ValidatedStep, _ state: StepState, into workspace: inout Workspace, context: StageContext,
                  outputFolder: URL, rerunTraining: Bool) throws {
    switch step.stage {
    case "load":
        _ = try runLoad(step, &workspace, context)
    case "build":
        let inputShape = workspace.data?.imageShape ?? defaultInputShape
        workspace.setModel(try buildModel(step, inputShape: inputShape, classes: workspace.data?.classNames.count, seed: context.seed))
    case "tune":
        // The tuned model is the build step's with the best values: rebuilt, as build's is.
        guard case .tuning(let tune) = state else { break }
        workspace.tuning = tune.facts
        workspace.tuned = tune.applied
        if let applied = tune.applied, !applied.names(for: "build").isEmpty,
           let build = context.notebookSteps[..<min(context.stepIndex, context.notebookSteps.count)].last(where: { $0.stage == "build" }) {
            let inputShape = workspace.data?.imageShape ?? defaultInputShape
            workspace.setModel(try buildModel(applied.applied(to: build), inputShape: inputShape,
                                              classes: workspace.data?.classNames.count, seed: context.seed))
        }
    case "train" where rerunTraining:
        context.message("running the cached 'train' step on line \(step.line) again: the training after it continues from it exactly")
        _ = try runTrain(step, &workspace, context)
    default:
        break
    }
    switch state {
    case .none:
        break
    case .preprocessing(let preprocessing):
        workspace.preprocessing = preprocessing
        workspace.data?.setNormalisation(scale: preprocessing.scale, shift: preprocessing.shift)
    case .training(let trained) where !rerunTraining:
        let model = try workspace.requireModel(for: "train")
        let weights = try trained.weights.map { try $0.tensor() }
        let current = model.weights()
        guard weights.count == current.count, zip(weights, current).allSatisfy({ $0.shape == $1.shape }) else {
            throw CacheEntryProblem("the cached weights do not fit the model \(model.name)")
        }
        model.setWeights(weights)
        workspace.training = TrainingSummary(history: try trained.record(), configuration: trainingConfiguration(step, seed: context.seed),
                                             bestEpoch: trained.bestEpoch, seconds: trained.seconds)
        workspace.evaluations = [:]
        workspace.lastEvaluatedSplit = nil
    case .training:
        break
    case .evaluation(let evaluation):
        workspace.evaluations[evaluation.split] = evaluation
        workspace.lastEvaluatedSplit = evaluation.split
    case .savedFiles(let names):
        workspace.savedFiles += names.map { outputFolder.appendingPathComponent($0) }
    case .tuning:
        break   // restored above, with the model it applies
    }
}
