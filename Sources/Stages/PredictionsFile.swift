import Datasets
import Foundation
import NeuralNet

/// `predictions.json`: what the evaluate step predicted for every image of its split, so that
/// `mnistbook compare` can tell which images one run gets right and another wrong without the model.
/// The format is documented in docs/RUNS.md; `Runs.PredictionsFile` reads it back.
enum PredictionsFile {
    static let format = "mnistbook-predictions 1"
    /// Pixels are kept for at most this many wrongly predicted images (a 10%-accurate model would
    /// otherwise carry the whole split): 2,000 MNIST images are 1.6 MB.
    static let maxWrongImages = 2000

    /// `predictions.json` for the test split, `predictions_validation.json` for the validation split.
    static func name(for split: Split) -> String {
        split == .test ? "predictions.json" : "predictions_\(split.rawValue).json"
    }

    static func artifact(_ evaluation: Evaluation, set: ImageSet, data: LoadedData) -> Artifact {
        let size = set.imageShape.reduce(1, *)
        let wrong = Array(evaluation.labels.indices.filter { evaluation.labels[$0] != evaluation.predictions[$0] }
            .prefix(maxWrongImages))
        var pixels: [UInt8] = []
        pixels.reserveCapacity(wrong.count * size)
        for i in wrong {
            let start = (set.range.lowerBound + i) * size
            pixels += set.pixels[start..<start + size]
        }
        let confidence = evaluation.labels.indices.map { fixedDigits(Double(evaluation.confidence($0))) }
        let object: JSON = .object([
            ("format", .string(format)),
            ("dataset", .string(data.name)),
            ("dataset_sha256", .string(datasetDigest(data.sha256))),
            ("split", .string(evaluation.split.rawValue)),
            ("classes", .array(data.classNames.map { .string($0) })),
            ("image_shape", .array(set.imageShape.map { .int($0) })),
            ("count", .int(evaluation.count)),
            ("images_sha256", .string(imagesDigest(set))),
            ("labels", .raw(intList(evaluation.labels))),
            ("predictions", .raw(intList(evaluation.predictions))),
            ("confidence", .raw("[" + confidence.joined(separator: ",") + "]")),
            ("wrong_indices", .raw(intList(wrong))),
            ("wrong_pixels", .string(Data(pixels).base64EncodedString())),
            ("checksum", .string(checksum(labels: evaluation.labels, predictions: evaluation.predictions,
                                          wrongIndices: wrong, pixels: pixels))),
        ])
        return Artifact(name: name(for: evaluation.split), text: object.text() + "\n")
    }

    /// SHA-256 of `labels`, `predictions` and `wrong_indices` as comma-separated decimal lines, then the
    /// wrong images' pixel bytes: any change or cut in those fields shows.
    static func checksum(labels: [Int], predictions: [Int], wrongIndices: [Int], pixels: [UInt8]) -> String {
        var bytes: [UInt8] = []
        for list in [labels, predictions, wrongIndices] {
            bytes += Array((list.map(String.init).joined(separator: ",") + "\n").utf8)
        }
        return Checksum.sha256Hex(bytes + pixels)
    }

    /// Which images were scored: SHA-256 of the split's pixels then its labels (one byte each), so two
    /// runs are known to have predicted the same images in the same order.
    static func imagesDigest(_ set: ImageSet) -> String {
        let size = set.imageShape.reduce(1, *)
        return Checksum.sha256Hex(Array(set.pixels[set.range.lowerBound * size..<set.range.upperBound * size])
            + set.labels.map { UInt8(truncatingIfNeeded: $0) })
    }

    private static func intList(_ values: [Int]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }

    /// Four decimals: enough to show a confidence, a quarter of the bytes of a full double.
    private static func fixedDigits(_ x: Double) -> String {
        x.isFinite ? String(format: "%.4f", x) : "null"
    }
}

/// One digest for a dataset's files: SHA-256 over `name:sha256` lines in name order. Two renders
/// of the same dataset give the same text whatever subsets they took.
func datasetDigest(_ files: [String: String]) -> String {
    Checksum.sha256Hex(Array(files.keys.sorted().map { "\($0):\(files[$0]!)\n" }.joined().utf8))
}
