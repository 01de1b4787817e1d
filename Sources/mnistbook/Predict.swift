import ArgumentParser
import Datasets
import Foundation
import NeuralNet
import Report
import Tensor

/// `mnistbook predict`: classifies PNG or PGM images with a saved model, after MNIST-style preparation.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify PNG or PGM digit images with a saved .mnistbook model.",
        discussion: """
            Each image may have any size and either polarity (white on black or black on white). It is prepared \
            as MNIST's digits were: grayscale, inverted when its background is light, cropped to the digit, the longer \
            side scaled to 20 px and centred by centre of mass in 28×28. An image that cannot be read is reported \
            with its name and the others are still classified; the exit status is then 1.
            """)

    @Option(help: "The model file written by a notebook's save step, e.g. output/mnist-lifecycle/mnist_cnn.mnistbook.")
    var model: String

    @Flag(help: "Print one JSON array: {file, digit, confidence, top3: [{class, probability}]} or {file, error} per image.")
    var json = false

    @Argument(help: "PNG or PGM images.")
    var images: [String]

    func run() throws {
        let loaded: (model: Model, metadata: ModelMetadata)
        do { loaded = try ModelFile.read(from: URL(fileURLWithPath: model)) } catch let error as ModelFileError {
            // Name the file as the user typed it, not as the absolute path the reader resolved.
            printError("\(ModelFileError(path: model, kind: error.kind, message: error.message))")
            throw ExitCode.failure
        } catch {
            printError("\(model): \(error)")
            throw ExitCode.failure
        }
        let classifier: Classifier
        do { classifier = try Classifier(model: loaded.model, metadata: loaded.metadata, path: model) } catch {
            printError("\(error)")
            throw ExitCode.failure
        }

        var results: [Prediction] = []
        for path in images {
            let result: Prediction
            do {
                result = try classifier.classify(loadGrayImage(path), file: path)
            } catch {
                result = Prediction(file: path, error: "\(error)")
            }
            results.append(result)
            if let error = result.error {
                // Keep the error in order with the lines before it when both streams go to one place.
                fflush(stdout)
                printError(error)
            } else if !json {
                print(result.line)
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
        if results.contains(where: { $0.error != nil }) { throw ExitCode.failure }
    }
}

/// A loaded model with what it needs to classify one prepared digit.
struct Classifier {
    let model: Model
    let metadata: ModelMetadata
    /// The prepared image's side: the model's input is [side, side, 1].
    let side: Int

    init(model: Model, metadata: ModelMetadata, path: String) throws {
        let shape = model.inputShape
        guard shape.count == 3, shape[0] == shape[1], shape[2] == 1, shape[0] >= 8 else {
            throw DatasetError("\(path): predict needs a model of square grayscale images [N, N, 1]; this one takes \(shape)")
        }
        self.model = model
        self.metadata = metadata
        side = shape[0]
    }

    /// Prepares the image like MNIST (the digit box keeps MNIST's 20:28 proportion) and runs the model.
    func classify(_ image: GrayscaleImage, file: String) throws -> Prediction {
        let prepared: GrayscaleImage
        do {
            prepared = try DigitPreparation.prepare(image, size: side, box: Int((Double(side) * 20 / 28).rounded()))
        } catch {
            throw DatasetError("\(file): \(error)")
        }
        let x = ImageBatch.gather(prepared.pixels, imageShape: model.inputShape, indices: [0],
                                  scale: metadata.preprocessing.scale, shift: metadata.preprocessing.shift)
        var scores = model.forward(x).scalars
        if !endsInSoftmax { scores = softmax(scores) }
        let ranked = scores.indices.sorted { scores[$0] > scores[$1] }
        let names = metadata.classNames
        func name(_ i: Int) -> String { i < names.count ? names[i] : String(i) }
        let top = ranked.prefix(3).map { Prediction.Ranked(className: name($0), probability: Double(scores[$0])) }
        return Prediction(file: file, digit: top[0].className, confidence: top[0].probability, top3: top)
    }

    /// True when the model's last layer already outputs probabilities.
    var endsInSoftmax: Bool {
        if case .dense(_, _, .softmax, _)? = model.specs.last { return true }
        return false
    }

    func softmax(_ logits: [Float]) -> [Float] {
        let m = logits.max() ?? 0
        let e = logits.map { Foundation.exp($0 - m) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}

/// One image's outcome: the class, its probability and the three most likely classes, or why it failed.
struct Prediction: Encodable {
    struct Ranked: Encodable {
        var className: String
        var probability: Double

        enum CodingKeys: String, CodingKey { case className = "class", probability }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(className, forKey: .className)
            try c.encode(Prediction.rounded(probability), forKey: .probability)
        }
    }

    var file: String
    var digit: String?
    var confidence: Double?
    var top3: [Ranked]?
    var error: String?

    init(file: String, digit: String? = nil, confidence: Double? = nil, top3: [Ranked]? = nil, error: String? = nil) {
        self.file = file; self.digit = digit; self.confidence = confidence; self.top3 = top3; self.error = error
    }

    enum CodingKeys: String, CodingKey { case file, digit, confidence, top3, error }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encodeIfPresent(digit, forKey: .digit)
        try c.encodeIfPresent(confidence.map(Prediction.rounded), forKey: .confidence)
        try c.encodeIfPresent(top3, forKey: .top3)
        try c.encodeIfPresent(error, forKey: .error)
    }

    /// Six decimals: float32 probabilities carry no more, and JSON stays readable.
    static func rounded(_ p: Double) -> Double { (p * 1e6).rounded() / 1e6 }

    /// `digit.png: 7 (99.8%)  top-3: 7 99.8%, 1 0.1%, 9 0.0%`
    var line: String {
        guard let digit, let confidence, let top3 else { return "\(file): \(error ?? "failed")" }
        let ranked = top3.map { "\($0.className) \(percent($0.probability))" }.joined(separator: ", ")
        return "\(file): \(digit) (\(percent(confidence)))  top-3: \(ranked)"
    }

    func percent(_ p: Double) -> String { String(format: "%.1f%%", p * 100) }
}

/// Reads a PNG (through libpng) or a PGM, chosen by the file's first bytes, as 8-bit gray.
func loadGrayImage(_ path: String) throws -> GrayscaleImage {
    let bytes: [UInt8]
    do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            throw DatasetError("\(path): no such file")
        }
        throw DatasetError("\(path): cannot be read\(isDirectory.boolValue ? " (it is a folder)" : "")")
    }
    if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
        do {
            let png = try PNG.decode(bytes)
            return GrayscaleImage(width: png.width, height: png.height, pixels: png.gray)
        } catch {
            throw DatasetError("\(path): \(error)")
        }
    }
    if PGM.isPGM(bytes) { return try PGM.decode(bytes, path: path) }
    throw DatasetError("\(path): not a PNG or PGM image (\(describeStart(bytes)))")
}

/// What a file that is not an image starts with, for the error message.
func describeStart(_ bytes: [UInt8]) -> String {
    if bytes.isEmpty { return "the file is empty" }
    let shown = bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
    return "it starts with bytes \(shown)"
}
