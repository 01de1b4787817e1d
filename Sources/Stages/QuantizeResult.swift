import Foundation
import Report

/// What `mnistbook quantize --json` prints: the figures docs/BENCHMARKS.md records.
public struct QuantizeResult: Codable {
    public let model: String
    public let output: String
    public let onnx: String?
    public let calibration_images: Int
    public let test_images: Int
    public let fp32_size_bytes: Int
    public let int8_size_bytes: Int
    public let fp32_test_accuracy: Double
    public let int8_test_accuracy: Double
    /// Test image indices on which the two predict different classes.
    public let disagreements: [Int]
    public let fp32_latency_ms: Double
    public let int8_latency_ms: Double
    public let batch_size: Int
    public let fp32_images_per_second: Double
    public let int8_images_per_second: Double
    public let onednn: String
    public let implementations: [String]

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
