import Datasets
import Foundation
import NeuralNet
import Report
import Tensor

/// `mnistbook quantize`'s work, below the command line: a saved float32 model to int8 without re-rendering, and the
/// comparison the save step's `quantize` shows (file size, test accuracy, single-image latency, batch-256 throughput,
/// disagreements), timed now.
public struct SavedModelQuantization {
    public let result: QuantizeResult
    // The disagreement lines name classes: the test labels and both models' predictions.
    let classNames: [String]
    let labels: [Int], floatPredicted: [Int], int8Predicted: [Int]

    /// The default output: `m.mnistbook` → `m.int8.mnistbook` in the same folder.
    public static func defaultOutput(for model: String) -> String {
        let url = URL(fileURLWithPath: model)
        let stem = url.pathExtension == ModelFile.fileExtension ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent("\(stem).int8.\(ModelFile.fileExtension)").path
    }

    /// Quantises the model file `model` with the first `calibration` training images of its dataset, writes the int8
    /// model to `output` (with `onnx`, its QDQ ONNX export beside it) and compares the two on the test set.
    public init(model: String, output: String, calibration: Int, onnx: Bool) throws {
        guard URL(fileURLWithPath: output).standardizedFileURL != URL(fileURLWithPath: model).standardizedFileURL else {
            throw QuantizeRefusal(description: "--output \(output) is the model file itself: name another file")
        }
        let (float, metadata): (Model, ModelMetadata)
        do { (float, metadata) = try ModelFile.read(from: URL(fileURLWithPath: model)) } catch let error as ModelFileError {
            throw ModelFileError(path: model, kind: error.kind, message: error.message)
        }
        let dataset = try DatasetCatalog.load(metadata.dataset)
        let imageShape = [dataset.test.rows, dataset.test.cols, 1]
        guard imageShape == float.inputShape, dataset.classNames.count == float.classes else {
            func describe(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }
            throw DatasetError("\(model): the model takes \(describe(float.inputShape)) images into \(float.classes) classes; "
                               + "its dataset '\(metadata.dataset)' has \(describe(imageShape)) images in \(dataset.classNames.count) classes")
        }
        let p = metadata.preprocessing
        let calibrationImages = dataset.train.imageSet(first: calibration, scale: p.scale, shift: p.shift)
        let quantized = try QuantizedModel.quantize(float, calibration: calibrationImages)
        let url = URL(fileURLWithPath: output)
        try AtomicFile.write(ModelFile.encode(quantized, metadata: metadata, path: url.path), to: url)
        var onnxPath: String?
        if onnx {
            let onnxURL = url.deletingPathExtension().appendingPathExtension("onnx")
            try AtomicFile.write(ONNXExport.data(for: quantized, metadata: metadata), to: onnxURL)
            onnxPath = onnxURL.path
        }
        func fileSize(_ path: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        let floatBytes = try fileSize(model), int8Bytes = try fileSize(output)
        let test = dataset.test.imageSet(scale: p.scale, shift: p.shift)
        let c = Int8Comparison(float: float, int8: quantized, images: test)
        result = QuantizeResult(
            model: model, output: output, onnx: onnxPath, calibration_images: calibrationImages.count, test_images: test.count,
            fp32_size_bytes: floatBytes, int8_size_bytes: int8Bytes,
            fp32_test_accuracy: c.floatAccuracy, int8_test_accuracy: c.int8Accuracy, disagreements: c.disagreements,
            fp32_latency_ms: c.floatLatency * 1000, int8_latency_ms: c.int8Latency * 1000, batch_size: c.batchSize,
            fp32_images_per_second: c.floatThroughput, int8_images_per_second: c.int8Throughput,
            onednn: OneDNN.version, implementations: quantized.implementations)
        classNames = metadata.classNames
        labels = c.labels
        floatPredicted = c.floatPredicted
        int8Predicted = c.int8Predicted
    }

    /// The side-by-side table `mnistbook quantize` prints.
    public var table: String {
        result.table(classNames: classNames, labels: labels, floatPredicted: floatPredicted, int8Predicted: int8Predicted)
    }

    /// One JSON object, keys sorted: what `--json` prints and docs/BENCHMARKS.md records.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(result), as: UTF8.self)
    }
}

/// An output path that would overwrite the model being read.
struct QuantizeRefusal: Error, CustomStringConvertible {
    let description: String
}
