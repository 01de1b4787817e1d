import Crypto
import Foundation

/// predictions.json, written by the evaluate step (format in docs/RUNS.md), read back and checked:
/// every list the length `count` says, labels and predictions within the classes, the checksum right.
public struct Predictions: Sendable {
    public var dataset: String
    public var datasetSHA256: String
    public var split: String
    public var classes: [String]
    public var imageShape: [Int]
    /// SHA-256 of the scored images and labels: equal means the same images in the same order.
    public var imagesSHA256: String
    public var labels: [Int]
    public var predictions: [Int]
    public var confidence: [Double]
    /// Pixels of (up to 2,000 of) the wrongly predicted images, by index in the split.
    public var wrongImages: [Int: [UInt8]]

    public var count: Int { labels.count }

    public static let fileName = "predictions.json"
    static let format = "mnistbook-predictions 1"
    /// Bounds for what a file may claim, so a damaged one cannot make us allocate without limit.
    static let maxCount = 10_000_000, maxClasses = 1000

    struct File: Decodable {
        var format: String
        var dataset: String
        var datasetSHA256: String
        var split: String
        var classes: [String]
        var imageShape: [Int]
        var count: Int
        var imagesSHA256: String
        var labels: [Int]
        var predictions: [Int]
        var confidence: [Double?]
        var wrongIndices: [Int]
        var wrongPixels: String
        var checksum: String

        enum CodingKeys: String, CodingKey {
            case format, dataset, split, classes, count, labels, predictions, confidence, checksum
            case datasetSHA256 = "dataset_sha256", imageShape = "image_shape", imagesSHA256 = "images_sha256"
            case wrongIndices = "wrong_indices", wrongPixels = "wrong_pixels"
        }
    }

    public static func read(_ url: URL) throws(RunError) -> Predictions {
        let file = try readJSON(File.self, at: url, what: fileName)
        func bad(_ problem: String) -> RunError { RunError(url.path, "\(fileName) is corrupt: \(problem)") }
        guard file.format == format else { throw bad("format '\(file.format)', expected '\(format)'") }
        guard (0...maxCount).contains(file.count) else { throw bad("count \(file.count) is out of range") }
        guard (1...maxClasses).contains(file.classes.count) else { throw bad("\(file.classes.count) classes") }
        guard file.labels.count == file.count, file.predictions.count == file.count, file.confidence.count == file.count else {
            throw bad("count is \(file.count) but it holds \(file.labels.count) labels, \(file.predictions.count) predictions "
                + "and \(file.confidence.count) confidences")
        }
        let classRange = 0..<file.classes.count
        guard file.labels.allSatisfy(classRange.contains), file.predictions.allSatisfy(classRange.contains) else {
            throw bad("a label or prediction is not one of the \(file.classes.count) classes")
        }
        guard file.imageShape.count == 3, file.imageShape.allSatisfy({ (1...4096).contains($0) }) else {
            throw bad("image_shape \(file.imageShape) is not [rows, cols, channels]")
        }
        guard let pixels = Data(base64Encoded: file.wrongPixels).map([UInt8].init) else { throw bad("wrong_pixels is not base64") }
        let size = file.imageShape.reduce(1, *)
        guard pixels.count == file.wrongIndices.count * size else {
            throw bad("wrong_pixels holds \(pixels.count) bytes for \(file.wrongIndices.count) images of \(size) pixels")
        }
        guard file.wrongIndices.allSatisfy({ (0..<file.count).contains($0) && file.labels[$0] != file.predictions[$0] }) else {
            throw bad("wrong_indices names an image that is not wrongly predicted")
        }
        guard checksum(labels: file.labels, predictions: file.predictions, wrongIndices: file.wrongIndices, pixels: pixels)
                == file.checksum else {
            throw bad("checksum mismatch (the file was changed or cut short)")
        }
        var wrong: [Int: [UInt8]] = [:]
        for (k, index) in file.wrongIndices.enumerated() { wrong[index] = Array(pixels[k * size..<(k + 1) * size]) }
        return Predictions(dataset: file.dataset, datasetSHA256: file.datasetSHA256, split: file.split, classes: file.classes,
                           imageShape: file.imageShape, imagesSHA256: file.imagesSHA256, labels: file.labels,
                           predictions: file.predictions, confidence: file.confidence.map { $0 ?? .nan }, wrongImages: wrong)
    }

    /// As the evaluate step computes it: SHA-256 of the three index lists as comma-separated decimal
    /// lines, then the pixel bytes.
    static func checksum(labels: [Int], predictions: [Int], wrongIndices: [Int], pixels: [UInt8]) -> String {
        var hasher = Crypto.SHA256()
        for list in [labels, predictions, wrongIndices] {
            hasher.update(data: Array((list.map(String.init).joined(separator: ",") + "\n").utf8))
        }
        hasher.update(data: pixels)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// confusion[true][predicted].
    public var confusion: [[Int]] {
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for (t, p) in zip(labels, predictions) { m[t][p] += 1 }
        return m
    }

    public func isCorrect(_ i: Int) -> Bool { labels[i] == predictions[i] }
}
