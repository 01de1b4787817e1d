// `mnistbook quantize` run as a subprocess on PredictCommandTests' float32 model: writes an int8 file that predict
// and serve read, prints the comparison (table or JSON), and refuses bad arguments and files with exact messages.
import Foundation
import NeuralNet
import XCTest

final class QuantizeCommandTests: XCTestCase {
    /// A copy of PredictCommandTests' model in a folder of this test's own.
    func modelCopy() throws -> URL {
        let f = try PredictCommandTests.fixture.get()
        let folder = try temporaryFolder(self)
        let url = folder.appendingPathComponent("m.mnistbook")
        try Data(f.modelBytes).write(to: url)
        return url
    }

    func testQuantizeWritesTheInt8FileAndComparesItOnTheTestSet() throws {
        let model = try modelCopy()
        let folder = model.deletingLastPathComponent()
        let run = try mnistbook(["quantize", "--model", "m.mnistbook", "--calibration", "500", "--onnx", "--json"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertEqual(object["output"] as? String, folder.appendingPathComponent("m.int8.mnistbook").path)
        XCTAssertEqual(object["onnx"] as? String, folder.appendingPathComponent("m.int8.onnx").path)
        XCTAssertEqual(object["calibration_images"] as? Int, 500)
        XCTAssertEqual(object["test_images"] as? Int, 10_000)
        XCTAssertEqual(object["batch_size"] as? Int, 256)
        let fp32 = try XCTUnwrap(object["fp32_test_accuracy"] as? Double), int8 = try XCTUnwrap(object["int8_test_accuracy"] as? Double)
        XCTAssertGreaterThan(fp32, 0.9)
        XCTAssertEqual(int8, fp32, accuracy: 0.005)
        let disagreements = try XCTUnwrap(object["disagreements"] as? [Int])
        XCTAssertLessThan(disagreements.count, 100)
        let fp32Bytes = try XCTUnwrap(object["fp32_size_bytes"] as? Int), int8Bytes = try XCTUnwrap(object["int8_size_bytes"] as? Int)
        XCTAssertEqual(int8Bytes, try Data(contentsOf: folder.appendingPathComponent("m.int8.mnistbook")).count)
        XCTAssertLessThan(Double(int8Bytes), 0.4 * Double(fp32Bytes))
        for key in ["fp32_latency_ms", "int8_latency_ms", "fp32_images_per_second", "int8_images_per_second"] {
            XCTAssertGreaterThan(try XCTUnwrap(object[key] as? Double), 0, key)
        }
        let (loaded, _) = try ModelFile.readAny(from: folder.appendingPathComponent("m.int8.mnistbook"))
        XCTAssertEqual(loaded.precision, "int8")

        // The table names both files and lists every disagreement (up to 30) with its true class.
        let table = try mnistbook(["quantize", "--model", "m.mnistbook", "--calibration", "500", "-o", "t.mnistbook"], in: folder)
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[1].hasPrefix("file "), table.stdout)
        XCTAssertEqual(lines[1].split(separator: " ").map(String.init), ["file", "m.mnistbook", "t.mnistbook"], table.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("test accuracy ") }, table.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("batch-256 throughput ") }, table.stdout)
        if let first = disagreements.first {
            XCTAssertTrue(lines.contains { $0.hasPrefix("  #\(first) true ") }, table.stdout)
        } else {
            XCTAssertTrue(lines.contains("float32 and int8 predict the same class for all 10,000 test images."), table.stdout)
        }
    }

    func testBadArgumentsAndFilesAreRefusedByName() throws {
        let model = try modelCopy()
        let folder = model.deletingLastPathComponent()
        let zero = try mnistbook(["quantize", "--model", "m.mnistbook", "--calibration", "0"], in: folder)
        XCTAssertEqual(zero.status, 2)
        XCTAssertTrue(zero.stderr.hasPrefix("Error: --calibration must be 1…60000, not 0\n"), zero.stderr)
        let itself = try mnistbook(["quantize", "--model", "m.mnistbook", "-o", "./m.mnistbook"], in: folder)
        XCTAssertEqual(itself.status, 1)
        XCTAssertEqual(itself.stderr, "--output ./m.mnistbook is the model file itself: name another file\n")
        let missing = try mnistbook(["quantize", "--model", "none.mnistbook"], in: folder)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("none.mnistbook "), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("none.int8.mnistbook").path))
        // An int8 file is not quantised twice.
        XCTAssertEqual(try mnistbook(["quantize", "--model", "m.mnistbook", "--calibration", "50"], in: folder).status, 0)
        let twice = try mnistbook(["quantize", "--model", "m.int8.mnistbook"], in: folder)
        XCTAssertEqual(twice.status, 1)
        XCTAssertEqual(twice.stderr, "m.int8.mnistbook holds an int8 model (format 2); this reader needs a float32 model\n")
    }
}
