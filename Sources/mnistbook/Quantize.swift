import ArgumentParser
import Datasets
import Foundation
import NeuralNet
import Report
import Tensor

/// `mnistbook quantize`: a saved float32 model to int8 without re-rendering, and the comparison the save step's
/// `quantize` shows (file size, test accuracy, single-image latency, batch-256 throughput, disagreements), timed now.
struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quantise a saved float32 .mnistbook model to int8 and compare the two on the test set.",
        discussion: """
            Post-training static quantisation, as the save step's `quantize: {mode: int8}` does it: batch norms folded \
            into the layer before them, weights int8 per output channel, activations uint8/int8 per tensor calibrated on \
            the first --calibration training images of the model's dataset, run through oneDNN's int8 kernels. Writes \
            the int8 model (and with --onnx its QDQ ONNX export) and prints float32 against int8 on the dataset's test \
            images. Latency and throughput are timed now, on this machine as busy as it is.
            """)

    @Option(help: "The float32 model file written by a notebook's save step.")
    var model: String

    @Option(help: "Training images that calibrate the activation ranges (1…60000).")
    var calibration = 1000

    @Option(name: .shortAndLong, help: "The int8 model file to write (default: beside --model, <name>.int8.mnistbook).")
    var output: String?

    @Flag(help: "Also write the int8 model's QDQ ONNX export beside it (<name>.int8.onnx).")
    var onnx = false

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        guard (1...60_000).contains(calibration) else { throw ValidationError("--calibration must be 1…60000, not \(calibration)") }
    }

    /// The default output: `m.mnistbook` → `m.int8.mnistbook` in the same folder.
    var outputPath: String {
        if let output { return output }
        let url = URL(fileURLWithPath: model)
        let stem = url.pathExtension == ModelFile.fileExtension ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent("\(stem).int8.\(ModelFile.fileExtension)").path
    }

    func run() throws {
        do { try quantize() } catch let error as ExitCode { throw error } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }

    private func quantize() throws {
        let target = outputPath
        guard URL(fileURLWithPath: target).standardizedFileURL != URL(fileURLWithPath: model).standardizedFileURL else {
            throw ValidationError("--output \(target) is the model file itself: name another file")
        }
        let (float, metadata): (Model, ModelMetadata)
        do { (float, metadata) = try ModelFile.read(from: URL(fileURLWithPath: model)) } catch let error as ModelFileError {
            throw ModelFileError(path: model, kind: error.kind, message: error.message)
        }
        let dataset = try DatasetCatalog.load(metadata.dataset)
        let imageShape = [dataset.test.rows, dataset.test.cols, 1]
        guard imageShape == float.inputShape, dataset.classNames.count == float.classes else {
            throw DatasetError("\(model): the model takes \(describe(float.inputShape)) images into \(float.classes) classes; "
                               + "its dataset '\(metadata.dataset)' has \(describe(imageShape)) images in \(dataset.classNames.count) classes")
        }
        let p = metadata.preprocessing
        func images(_ split: LabeledImages, _ count: Int) -> ImageSet {
            let n = min(count, split.count)
            return ImageSet(pixels: Array(split.images[0..<(n * split.pixelsPerImage)]), labels: split.labels[0..<n].map(Int.init),
                            imageShape: imageShape, scale: p.scale, shift: p.shift)
        }
        let calibrationImages = images(dataset.train, calibration)
        let quantized = try QuantizedModel.quantize(float, calibration: calibrationImages)
        let url = URL(fileURLWithPath: target)
        try AtomicFile.write(ModelFile.encode(quantized, metadata: metadata, path: url.path), to: url)
        var onnxPath: String?
        if onnx {
            let onnxURL = url.deletingPathExtension().appendingPathExtension("onnx")
            try AtomicFile.write(ONNXExport.data(for: quantized, metadata: metadata), to: onnxURL)
            onnxPath = onnxURL.path
        }
        let floatBytes = try fileSize(model), int8Bytes = try fileSize(target)
        let test = images(dataset.test, dataset.test.count)
        let c = Int8Comparison(float: float, int8: quantized, images: test)
        let result = QuantizeResult(
            model: model, output: target, onnx: onnxPath, calibration_images: calibrationImages.count, test_images: test.count,
            fp32_size_bytes: floatBytes, int8_size_bytes: int8Bytes,
            fp32_test_accuracy: c.floatAccuracy, int8_test_accuracy: c.int8Accuracy, disagreements: c.disagreements,
            fp32_latency_ms: c.floatLatency * 1000, int8_latency_ms: c.int8Latency * 1000, batch_size: c.batchSize,
            fp32_images_per_second: c.floatThroughput, int8_images_per_second: c.int8Throughput,
            onednn: OneDNN.version, implementations: quantized.implementations)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print(result.table(classNames: metadata.classNames, labels: c.labels, floatPredicted: c.floatPredicted, int8Predicted: c.int8Predicted))
    }

    private func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    private func describe(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }
}

/// What `mnistbook quantize --json` prints: the figures docs/BENCHMARKS.md records.
struct QuantizeResult: Codable {
    let model: String
    let output: String
    let onnx: String?
    let calibration_images: Int
    let test_images: Int
    let fp32_size_bytes: Int
    let int8_size_bytes: Int
    let fp32_test_accuracy: Double
    let int8_test_accuracy: Double
    /// Test image indices on which the two predict different classes.
    let disagreements: [Int]
    let fp32_latency_ms: Double
    let int8_latency_ms: Double
    let batch_size: Int
    let fp32_images_per_second: Double
    let int8_images_per_second: Double
    let onednn: String
    let implementations: [String]

    func table(classNames: [String], labels: [Int], floatPredicted: [Int], int8Predicted: [Int]) -> String {
        func name(_ i: Int) -> String { i < classNames.count ? classNames[i] : String(i) }
        func ratio(_ x: Double) -> String { String(format: "%.1f×", x) }
        let points = (int8_test_accuracy - fp32_test_accuracy) * 100
        let rows: [(String, String, String)] = [
            ("file", model, output),
            ("file size", "\(groupThousands(fp32_size_bytes)) B",
             "\(groupThousands(int8_size_bytes)) B (\(String(format: "%.1f", 100 * Double(int8_size_bytes) / Double(max(fp32_size_bytes, 1)))) %)"),
            ("test accuracy", String(format: "%.2f %%", fp32_test_accuracy * 100),
             String(format: "%.2f %% (%@%.2f pt)", int8_test_accuracy * 100, points < 0 ? "−" : "+", abs(points))),
            ("single-image latency", String(format: "%.3f ms", fp32_latency_ms),
             String(format: "%.3f ms", int8_latency_ms) + (int8_latency_ms <= fp32_latency_ms
                ? " (\(ratio(fp32_latency_ms / max(int8_latency_ms, 1e-9))) faster)"
                : " (\(ratio(int8_latency_ms / max(fp32_latency_ms, 1e-9))) slower)")),
            ("batch-\(batch_size) throughput", "\(groupThousands(Int(fp32_images_per_second.rounded()))) images/s",
             "\(groupThousands(Int(int8_images_per_second.rounded()))) images/s (\(ratio(int8_images_per_second / max(fp32_images_per_second, 1e-9))))"),
        ]
        let w0 = rows.map(\.0.count).max()!, w1 = max(rows.map(\.1.count).max()!, "float32".count)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        var lines = [pad("", w0) + "  " + pad("float32", w1) + "  int8"]
        lines += rows.map { pad($0.0, w0) + "  " + pad($0.1, w1) + "  " + $0.2 }
        lines.append("calibration: \(groupThousands(calibration_images)) training images; test: \(groupThousands(test_images)) images; "
                     + "latency: median of 50 single images; throughput: median of 5 batches")
        if disagreements.isEmpty {
            lines.append("float32 and int8 predict the same class for all \(groupThousands(test_images)) test images.")
        } else {
            lines.append("float32 and int8 disagree on \(groupThousands(disagreements.count)) test image\(disagreements.count == 1 ? "" : "s"):")
            for i in disagreements.prefix(30) {
                lines.append("  #\(i) true \(name(labels[i])): float32 \(name(floatPredicted[i])), int8 \(name(int8Predicted[i]))")
            }
            if disagreements.count > 30 { lines.append("  … and \(disagreements.count - 30) more") }
        }
        lines.append("oneDNN \(onednn): " + implementations.joined(separator: "; "))
        if let onnx { lines.append("QDQ ONNX export: \(onnx)") }
        return lines.joined(separator: "\n")
    }
}
