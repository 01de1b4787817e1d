import Foundation
import NeuralNet
import Report
import Tensor

/// metrics.json's "quantized" object (null when the save step does not quantise).
struct QuantizedFacts: Codable, Equatable {
    var mode: String
    var testAccuracy: Double
    var sizeBytes: Int
    var latencyMs: Double
    var fp32LatencyMs: Double
}

/// `save.quantize`: quantises the trained model to int8 with `calibration` training images, writes it
/// (`write` gets the int8 model and returns the file's size), and shows float32 against int8 side by side:
/// file size, test accuracy, single-image latency and batch-256 throughput timed now, and the test digits
/// on which the two disagree.
func quantizedComparison(model: Model, data: LoadedData, calibration: Int, floatFile: WrittenFile,
                         int8FileName: String, write: (QuantizedModel) throws -> Int) throws -> (outputs: [Output], facts: QuantizedFacts) {
    let images = min(calibration, data.train.count)
    let quantized: QuantizedModel
    do { quantized = try QuantizedModel.quantize(model, calibration: data.train.slice(0..<images)) } catch {
        throw StageFailure("\(error)")
    }
    let int8Bytes = try write(quantized)

    // Timed here, in this render: one image at a time (median of 50), and batches of 256 (median of 5).
    let c = Int8Comparison(float: model, int8: quantized, images: data.test)
    let labels = c.labels, floatPredicted = c.floatPredicted, int8Predicted = c.int8Predicted
    let floatAccuracy = c.floatAccuracy, int8Accuracy = c.int8Accuracy, disagreements = c.disagreements
    let floatLatency = c.floatLatency, int8Latency = c.int8Latency

    let names = data.classNames
    let rows: [[String]] = [
        ["file", floatFile.name, int8FileName],
        ["file size", byteText(floatFile.bytes), byteText(int8Bytes) + " (" + percent(Double(int8Bytes) / Double(max(floatFile.bytes, 1)), digits: 0) + ")"],
        ["test accuracy", percent(floatAccuracy), percent(int8Accuracy) + " (" + signedPoints(int8Accuracy - floatAccuracy) + ")"],
        ["single-image latency", milliseconds(floatLatency), milliseconds(int8Latency)],
        ["batch-\(c.batchSize) throughput", groupThousands(Int(c.floatThroughput.rounded())) + " images/s",
         groupThousands(Int(c.int8Throughput.rounded())) + " images/s"],
    ]
    var outputs: [Output] = [
        .table(Table(caption: "float32 against int8", header: ["", "float32", "int8"], rows: rows, alignRight: [])),
        .note("Int8: post-training static quantisation with \(groupThousands(images)) training images of calibration. Batch norms "
            + "folded into the convolution before them, weights int8 per output channel, activations uint8/int8 per tensor, "
            + "through oneDNN \(OneDNN.version)'s int8 kernels (\(quantized.implementations.joined(separator: "; "))). "
            + "Latency and throughput were timed during this render on this machine, which may have been busy."),
    ]
    if disagreements.isEmpty {
        outputs.append(.note("float32 and int8 predict the same class for all \(groupThousands(labels.count)) test images."))
    } else {
        let shown = Array(disagreements.prefix(30))
        outputs.append(.imageGrid(ImageGrid(
            title: "The \(groupThousands(disagreements.count)) test digit\(disagreements.count == 1 ? "" : "s") on which float32 and int8 disagree"
                + (shown.count < disagreements.count ? " (first \(shown.count))" : ""),
            images: shown.map { grayImage(data.test, $0) },
            captions: shown.map { "#\($0) true \(names[labels[$0]]): fp32 \(names[floatPredicted[$0]]), int8 \(names[int8Predicted[$0]])" },
            columns: min(10, shown.count),
            highlight: shown.map { int8Predicted[$0] != labels[$0] })))
    }
    let facts = QuantizedFacts(mode: "int8", testAccuracy: int8Accuracy, sizeBytes: int8Bytes,
                               latencyMs: int8Latency * 1000, fp32LatencyMs: floatLatency * 1000)
    return (outputs, facts)
}

private func milliseconds(_ seconds: Double) -> String { fixed(seconds * 1000, 3) + " ms" }

private func byteText(_ bytes: Int) -> String {
    bytes >= 1_000_000 ? fixed(Double(bytes) / 1_000_000, 2) + " MB" : fixed(Double(bytes) / 1000, 1) + " kB"
}

/// +0.02 pt, −0.10 pt: an accuracy difference in percentage points.
private func signedPoints(_ x: Double) -> String {
    (x >= 0 ? "+" : "−") + fixed(abs(x) * 100, 2) + " pt"
}
