import Foundation
import NeuralNet
import Stages
import XCTest

/// `save.quantize`: the int8 files, the float32-against-int8 table in the report and metrics.json's "quantized".
final class QuantizedSaveTests: XCTestCase {
    func testSaveQuantizeWritesInt8FilesComparesAndReportsMetrics() throws {
        let folder = try temporaryFolder(self)
        let source = smallNotebook().replacingOccurrences(of: "name: small_cnn\n", with: "name: small_cnn\nquantize: {mode: int8, calibration: 500}\n")
        XCTAssertTrue(source.contains("calibration: 500"))
        let path = try writeNotebook(source, named: "q.md", in: folder)
        let outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: folder.appendingPathComponent("out"),
                                                  overrides: [], observer: RunObserver())
        XCTAssertFalse(outcome.failed)
        let out = folder.appendingPathComponent("out")
        let (model, _) = try ModelFile.readAny(from: out.appendingPathComponent("small_cnn.int8.mnistbook"))
        XCTAssertEqual(model.precision, "int8")
        guard case .int8(let q) = model else { return XCTFail("not int8") }
        XCTAssertEqual(q.calibrationImages, 500)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("small_cnn.int8.onnx").path))

        let metrics = try readJSON(outcome.metricsURL)
        let quantized = try XCTUnwrap(metrics["quantized"] as? [String: Any])
        XCTAssertEqual(Set(quantized.keys), ["mode", "test_accuracy", "size_bytes", "latency_ms", "fp32_latency_ms"])
        XCTAssertEqual(quantized["mode"] as? String, "int8")
        let size = try XCTUnwrap(quantized["size_bytes"] as? Int)
        let floatSize = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("small_cnn.mnistbook").path)[.size] as? Int)
        XCTAssertEqual(size, try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("small_cnn.int8.mnistbook").path)[.size] as? Int)
        XCTAssertLessThan(Double(size), 0.4 * Double(floatSize))
        let accuracy = try XCTUnwrap(quantized["test_accuracy"] as? Double)
        let floatAccuracy = try XCTUnwrap(metrics["test_accuracy"] as? Double)
        XCTAssertLessThanOrEqual(abs(accuracy - floatAccuracy), 0.05, "300 test images of a briefly trained model")
        XCTAssertGreaterThan(try XCTUnwrap(quantized["latency_ms"] as? Double), 0)
        XCTAssertGreaterThan(try XCTUnwrap(quantized["fp32_latency_ms"] as? Double), 0)

        let html = try String(contentsOf: outcome.reportURL, encoding: .utf8)
        for text in ["float32 against int8", "small_cnn.int8.mnistbook", "single-image latency", "batch-256 throughput", "test accuracy"] {
            XCTAssertTrue(html.contains(text), text)
        }
        XCTAssertTrue(html.contains("disagree") || html.contains("predict the same class for all 300 test images"))

        // Rendered again from the cache: the save step does not run, and metrics.json keeps the figures of the run that did.
        let again = try NotebookRunner().render(notebookPath: path, outputDirectory: out, overrides: [], observer: RunObserver())
        XCTAssertFalse(again.failed)
        XCTAssertEqual(again.steps.filter { !$0.cached }.map(\.stage), [])
        let cached = try XCTUnwrap(try readJSON(again.metricsURL)["quantized"] as? [String: Any])
        XCTAssertEqual(cached["size_bytes"] as? Int, size)
        XCTAssertEqual(cached["latency_ms"] as? Double, quantized["latency_ms"] as? Double)
    }
}
