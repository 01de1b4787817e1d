import Foundation
import Tensor

/// A float32 model against its int8 quantisation on the same labelled images: accuracy, the images on which they
/// disagree, and single-image latency and batch throughput timed now (the save step's table and `mnistbook quantize`).
public struct Int8Comparison {
    public let labels: [Int]
    public let floatPredicted: [Int], int8Predicted: [Int]
    /// Median wall time of one single-image forward pass, in seconds.
    public let floatLatency: Double, int8Latency: Double
    /// Images in one throughput batch (256, or fewer when there are fewer images).
    public let batchSize: Int
    /// Images per second at `batchSize`, from the median batch time.
    public let floatThroughput: Double, int8Throughput: Double

    /// Predicts every image with both models, then times each: `latencyRuns` single images, `throughputRuns` batches.
    public init(float model: Model, int8 quantized: QuantizedModel, images: ImageSet, batchSize: Int = 256,
                latencyRuns: Int = 50, throughputRuns: Int = 5) {
        labels = images.labels
        floatPredicted = model.predict(images).argmaxRows()
        int8Predicted = quantized.predict(images).argmaxRows()
        let one = images.batch(0..<min(1, images.count)).x              // [1, 28, 28, 1]
        let batch = images.batch(0..<min(batchSize, images.count)).x    // [256, 28, 28, 1]
        self.batchSize = batch.shape[0]
        floatLatency = Self.medianSeconds(runs: latencyRuns) { _ = model.forward(one) }
        int8Latency = Self.medianSeconds(runs: latencyRuns) { _ = quantized.forward(one) }
        floatThroughput = Double(batch.shape[0]) / Self.medianSeconds(runs: throughputRuns) { _ = model.forward(batch) }
        int8Throughput = Double(batch.shape[0]) / Self.medianSeconds(runs: throughputRuns) { _ = quantized.forward(batch) }
    }

    public var floatAccuracy: Double { accuracy(floatPredicted) }
    public var int8Accuracy: Double { accuracy(int8Predicted) }
    /// Indices of the images the two models classify differently, in order.
    public var disagreements: [Int] { labels.indices.filter { floatPredicted[$0] != int8Predicted[$0] } }

    private func accuracy(_ predicted: [Int]) -> Double {
        labels.isEmpty ? 0 : Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }

    /// The median wall time of `runs` calls, after a tenth as many (at least one) warm-up calls.
    static func medianSeconds(runs: Int, _ body: () -> Void) -> Double {
        for _ in 0..<max(1, runs / 10) { body() }
        var times: [Double] = []
        for _ in 0..<max(1, runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }
}
