import Datasets
import Foundation
import NeuralNet
import Tensor

/// What the steps have made so far, along one data path:
/// dataset → image sets → normalisation → model → history → evaluation.
///
/// Each stage reads what earlier steps left here and adds its own part; nothing flows backwards.
/// Images stay uint8 in memory: `ImageSet` applies the normalisation per batch.
public struct Workspace {
    /// Set by `load`.
    public var data: LoadedData?
    /// Set by `preprocess`; until then the image sets carry raw pixel values (scale 1, shift 0).
    public var preprocessing: Preprocessing?
    /// Set by `build`.
    public var model: Model?
    /// Set by `train`.
    public var training: TrainingSummary?
    /// Set by `train` with `ensemble`: every member, the first being `model`; nil for a single model.
    public var ensemble: Ensemble?
    /// Set by `evaluate` (and by `error-analysis` when it has to score a split itself), by split.
    public var evaluations: [Split: Evaluation] = [:]
    /// The split the last evaluation scored, which `error-analysis` looks at.
    public var lastEvaluatedSplit: Split?

    /// Keeps an evaluation as the last one scored, whether run now or restored from the cache.
    mutating func record(_ evaluation: Evaluation) {
        evaluations[evaluation.split] = evaluation
        lastEvaluatedSplit = evaluation.split
    }

    /// Set by `save`: the model files written, in order.
    public var savedFiles: [URL] = []
    /// Set by `tune`: its trials (for metrics.json) and, with `apply`, the best values for later steps.
    var tuning: TuneFacts?
    public var tuned: TunedValues?
    /// Set by `train` with `repeat`: every seed's result (the first seed's model is `model`).
    var repeats: [SeedResult]?
    /// The int8 model's figures when the save step quantised (metrics.json's "quantized").
    var quantized: QuantizedFacts?

    public init() {}
}

/// The three parts of a dataset a notebook works with.
public enum Split: String, CaseIterable, Sendable, Codable {
    case train, validation, test

    /// Capitalised, for table headers.
    public var title: String {
        switch self {
        case .train: return "Train"
        case .validation: return "Validation"
        case .test: return "Test"
        }
    }
}

/// The dataset after `load`: the three splits as image sets, plus where the data came from.
public struct LoadedData {
    public var name: String
    public var source: String
    public var classNames: [String]
    /// IDX file name → SHA-256 of its decompressed content.
    public var sha256: [String: String]
    /// Per-image shape, channels last: [rows, cols, 1].
    public var imageShape: [Int]
    public var train: ImageSet
    public var validation: ImageSet
    public var test: ImageSet

    public func images(_ split: Split) -> ImageSet {
        switch split {
        case .train: return train
        case .validation: return validation
        case .test: return test
        }
    }

    /// Applies one normalisation to every split (ImageSet keeps bytes and normalises per batch).
    mutating func setNormalisation(scale: Float, shift: Float) {
        train.scale = scale; train.shift = shift
        validation.scale = scale; validation.shift = shift
        test.scale = scale; test.shift = shift
    }
}

/// The preprocessing chosen by `preprocess`: x · scale + shift, and the label encoding.
public struct Preprocessing: Sendable, Codable {
    public var scale: Float
    public var shift: Float
    /// The formula in words, e.g. "x / 255"; stored in saved models.
    public var formula: String
    /// `preprocess.augment`: warps of the training batches that `train` applies; nil when off.
    public var augmentation: Augmentation? = nil
    /// `preprocess.one_hot`; nil (cache entries from before it was kept) means true.
    public var oneHot: Bool? = nil
}

/// What `train` left: the history, its best epoch and its wall time.
public struct TrainingSummary {
    public var history: History
    /// The epoch reported as best: ModelCheckpoint's, else the one EarlyStopping restored, else the
    /// lowest validation loss (training loss without a validation set).
    public var bestEpoch: Int?
    /// Wall time of the whole fit, validation included (with `repeat` or `ensemble`: of every fit).
    public var seconds: Double
}

/// A model's predictions on one split.
public struct Evaluation {
    public var split: Split
    public var loss: Double
    public var accuracy: Double
    /// Class probabilities, row-major [count, classes].
    public var probabilities: [Float]
    public var classes: Int
    public var labels: [Int]
    public var predictions: [Int]
    /// confusion[true][predicted] counts.
    public var confusion: [[Int]]
    /// An ensemble's evaluation: each member's seed and accuracy (the fields above are the ensemble's).
    public var members: [MemberScore] = []

    public var count: Int { labels.count }

    /// The probability the model gave class `c` for sample `i`.
    public func probability(_ i: Int, _ c: Int) -> Float { probabilities[i * classes + c] }

    /// The probability of the predicted class.
    public func confidence(_ i: Int) -> Float { probability(i, predictions[i]) }
}

/// One ensemble member's score on a split.
public struct MemberScore: Codable, Equatable, Sendable {
    public var seed: UInt64
    public var accuracy: Double
}
