import Foundation
import NeuralNet
import Notebook
import Tensor

/// A step's contribution to the workspace, as much of it as cannot be recomputed cheaply from the step
/// itself; what a cache entry keeps so that later steps can still run after a cache hit. Each stage's
/// `capture` and `restore` say which case it uses and why.
public enum StepState: Codable {
    case none
    case preprocessing(Preprocessing)
    case training(TrainingState)
    case evaluation(Evaluation)
    case savedFiles([String])
    case tuning(TuneState)
}

/// What `tune` leaves: its trials and the values it applies.
public struct TuneState: Codable {
    var facts: TuneFacts
    var applied: TunedValues?
}

/// What `train` leaves: the trained weights, the history (with the checkpoint weights), the best
/// epoch and the wall time.
public struct TrainingState: Codable {
    var weights: [Tensor]
    var history: History
    var bestEpoch: Int?
    var seconds: Double
    /// An ensemble's members 2…n: their seeds and weights (member 1 is `weights`).
    var memberSeeds: [UInt64]?
    var memberWeights: [[Tensor]]?

    init(model: Model, summary: TrainingSummary, ensemble: Ensemble?) {
        weights = model.weights()
        history = summary.history
        bestEpoch = summary.bestEpoch
        seconds = summary.seconds
        if let ensemble {
            memberSeeds = ensemble.seeds
            memberWeights = ensemble.members.dropFirst().map { $0.weights() }
        }
    }
}

extension Evaluation: Codable {
    private enum CodingKeys: String, CodingKey { case split, loss, accuracy, probabilities, classes, labels, predictions, confusion, members }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(split, forKey: .split)
        try c.encode(loss, forKey: .loss)
        try c.encode(accuracy, forKey: .accuracy)
        // 100,000 floats for the MNIST test split: bytes, not a list of numbers.
        try c.encode(float32Bytes(probabilities), forKey: .probabilities)
        try c.encode(classes, forKey: .classes)
        try c.encode(labels, forKey: .labels)
        try c.encode(predictions, forKey: .predictions)
        try c.encode(confusion, forKey: .confusion)
        try c.encode(members, forKey: .members)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        split = try c.decode(Split.self, forKey: .split)
        loss = try c.decode(Double.self, forKey: .loss)
        accuracy = try c.decode(Double.self, forKey: .accuracy)
        guard let probabilities = float32s(try c.decode(Data.self, forKey: .probabilities)) else {
            throw CacheEntryProblem("the probabilities are not a whole number of float32 values")
        }
        self.probabilities = probabilities
        classes = try c.decode(Int.self, forKey: .classes)
        labels = try c.decode([Int].self, forKey: .labels)
        predictions = try c.decode([Int].self, forKey: .predictions)
        confusion = try c.decode([[Int]].self, forKey: .confusion)
        members = try c.decodeIfPresent([MemberScore].self, forKey: .members) ?? []
        // Later steps index these by each other; a mismatch must be an error here, not a trap there.
        guard classes > 0, probabilities.count == labels.count * classes, predictions.count == labels.count,
              predictions.allSatisfy({ (0..<classes).contains($0) }), labels.allSatisfy({ $0 >= 0 }),
              confusion.count == classes, confusion.allSatisfy({ $0.count == classes }) else {
            throw CacheEntryProblem("an evaluation of \(labels.count) images is inconsistent")
        }
    }
}

/// Why a cache entry cannot be used; it is then ignored and the step runs again.
struct CacheEntryProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: capture and restore

/// Where the workspace stood before a step, for the parts a step's state is the difference of.
public struct WorkspaceMark {
    public var lastEvaluatedSplit: Split?
    public var savedFiles: Int

    init(_ workspace: Workspace) {
        lastEvaluatedSplit = workspace.lastEvaluatedSplit
        savedFiles = workspace.savedFiles.count
    }
}
