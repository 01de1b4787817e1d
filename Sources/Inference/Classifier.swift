import Datasets
import Report
import Foundation
import NeuralNet
import Tensor

/// A loaded model (float32 or int8) with what it needs to classify one digit image of any size: MNIST-style
/// preparation, then the model.
public struct Classifier {
    public let model: LoadedModel
    public let metadata: ModelMetadata
    /// The prepared image's side: the model's input is [side, side, 1].
    public let side: Int
    /// Further ensemble members (`.ensemble` files): their probabilities are averaged with the model's.
    public var members: [Model] = []
    /// The longer side of the digit inside the prepared image (MNIST: 20 in 28).
    public var box: Int { Int((Double(side) * 20 / 28).rounded()) }

    /// `path` names the model in the error when its input is not a square grayscale image.
    public init(model: Model, metadata: ModelMetadata, path: String) throws {
        try self.init(model: .float32(model), metadata: metadata, path: path)
    }

    public init(model: LoadedModel, metadata: ModelMetadata, path: String) throws {
        let shape = model.inputShape
        guard shape.count == 3, shape[0] == shape[1], shape[2] == 1, shape[0] >= 8 else {
            throw DatasetError("\(path): predict needs a model of square grayscale images [N, N, 1]; this one takes \(shape)")
        }
        self.model = model
        self.metadata = metadata
        side = shape[0]
    }

    /// Reads a `.mnistbook` file (float32 or int8), or a `.ensemble` file and its members; errors name it as `path` was given (as the
    /// user typed it), not as a resolved URL.
    public static func load(path: String) throws -> Classifier {
        let loaded: (model: LoadedModel, metadata: ModelMetadata)
        var members: [Model] = []
        do {
            if path.hasSuffix(".\(EnsembleFile.fileExtension)") {
                let read = try EnsembleFile.read(from: URL(fileURLWithPath: path))
                loaded = (.float32(read.models[0].model), read.models[0].metadata)
                members = read.models.dropFirst().map(\.model)
            } else {
                loaded = try ModelFile.readAny(from: URL(fileURLWithPath: path))
            }
        } catch let error as ModelFileError {
            throw ModelFileError(path: path, kind: error.kind, message: error.message)
        } catch {
            throw DatasetError("\(path): \(error)")
        }
        var classifier = try Classifier(model: loaded.model, metadata: loaded.metadata, path: path)
        classifier.members = members
        return classifier
    }

    /// Prepares the image like MNIST (the digit box keeps MNIST's 20:28 proportion), then runs the model on it.
    /// `file` names the image in errors.
    public func classify(_ image: GrayImage, file: String) throws -> Classification {
        let prepared: GrayImage
        do {
            prepared = try DigitPreparation.prepare(image, size: side, box: box)
        } catch {
            throw DatasetError("\(file): \(error)")
        }
        let probabilities = probabilities(prepared.pixels)
        // Finite weights can still overflow on an image: say so instead of ranking NaNs as "0 (nan%)".
        if let bad = probabilities.first(where: { !$0.isFinite }) {
            throw DatasetError("\(file): the model's output is not a number (\(bad)); its weights overflow on this image")
        }
        return Classification(prepared: prepared, probabilities: probabilities, classNames: metadata.classNames)
    }

    /// `predict`'s work for one image file: read, prepare, classify. A failure is the prediction's error (named by
    /// `path`), and the other images still go on.
    public func predict(file path: String) -> (prediction: Prediction, prepared: GrayImage?) {
        do {
            let classification = try classify(ImageDecoding.load(path), file: path)
            return (classification.prediction(file: path), classification.prepared)
        } catch {
            return (Prediction(file: path, error: "\(error)"), nil)
        }
    }

    /// The model's class probabilities for one already prepared image.  pixels: [side · side], 0…255, white on black
    public func probabilities(_ pixels: [UInt8]) -> [Float] {
        precondition(pixels.count == side * side, "Classifier: \(pixels.count) pixels for \(side)×\(side)")
        let x = ImageBatch.gather(pixels, imageShape: model.inputShape, indices: [0],
                                  scale: metadata.preprocessing.scale, shift: metadata.preprocessing.shift)
        let scores = model.forward(x).scalars   // [1, classes]
        let probabilities = endsInSoftmax ? scores : Self.softmax(scores)
        guard !members.isEmpty else { return probabilities }
        // An ensemble: the mean of the members' probabilities (they share the first member's architecture).
        var sum = probabilities
        for member in members {
            let scores = member.forward(x).scalars
            for (i, p) in (endsInSoftmax ? scores : Self.softmax(scores)).enumerated() where i < sum.count { sum[i] += p }
        }
        return sum.map { $0 / Float(members.count + 1) }
    }

    /// True when the model's last layer already outputs probabilities.
    public var endsInSoftmax: Bool {
        if case .dense(_, _, .softmax, _)? = model.specs.last { return true }
        return false
    }

    /// The engine's softmax (max subtracted first), on one row.
    static func softmax(_ logits: [Float]) -> [Float] {
        logits.isEmpty ? [] : Activations.softmaxRows(Tensor(shape: [1, logits.count], scalars: logits)).scalars
    }
}

/// What the model made of one image: the prepared digit it saw and its probability for every class.
public struct Classification: Sendable {
    /// The digit after MNIST-style preparation: side×side, white on black.
    public let prepared: GrayImage
    /// One probability per class, in output order.
    public let probabilities: [Float]
    public let classNames: [String]

    public init(prepared: GrayImage, probabilities: [Float], classNames: [String]) {
        self.prepared = prepared
        self.probabilities = probabilities
        self.classNames = classNames
    }

    /// Class indices from the most to the least likely; ties keep the lower index first.
    public var ranking: [Int] {
        probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
    }

    /// The name of class `i`, or its number when the model file names fewer classes.
    public func name(_ i: Int) -> String { i < classNames.count ? classNames[i] : String(i) }

    /// The three most likely classes with their probabilities.
    public var top3: [Prediction.Ranked] {
        ranking.prefix(3).map { Prediction.Ranked(className: name($0), probability: Double(probabilities[$0])) }
    }

    /// The line `predict` prints and its JSON entry.
    public func prediction(file: String) -> Prediction {
        let top = top3
        return Prediction(file: file, digit: top[0].className, confidence: top[0].probability, top3: top)
    }
}
