import Datasets
import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// Int8 post-training quantisation on real MNIST: accuracy against float32, the model file, errors, the QDQ export.
final class QuantizationTests: XCTestCase {
    struct Fixture {
        let model: Model
        let quantized: QuantizedModel
        let test: ImageSet
        let floatAccuracy: Double
    }

    /// A small CNN with batch norms after ReLU convolutions, trained 2 epochs on 12,000 images (about 98 %),
    /// quantised with 1,000 training images of calibration.
    static let fixture: Result<Fixture, Error> = Result {
        let mnist = try DatasetCatalog.load("mnist")
        let train = mnist.train.imageSet()
        let model = try Model(name: "int8_cnn", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "conv1", filters: 16, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .batchnorm(name: "bn1", momentum: 0.9, epsilon: 0.001),
            .maxpool(name: "pool1", pool: 2),
            .conv2d(name: "conv2", filters: 32, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .batchnorm(name: "bn2", momentum: 0.9, epsilon: 0.001),
            .maxpool(name: "pool2", pool: 2),
            .flatten(name: "flatten"),
            .dense(name: "dense1", units: 64, activation: .relu, useBias: true),
            .dropout(name: "dropout", rate: 0.25),
            .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: 3)
        var c = TrainingConfiguration()
        c.epochs = 2; c.batchSize = 64; c.seed = 3
        c.removeCallbacks()
        _ = try fit(model, training: train.slice(0..<12_000), validation: nil, configuration: c)
        let test = mnist.test.imageSet()
        let quantized = try QuantizedModel.quantize(model, calibration: train.slice(20_000..<21_000))
        return Fixture(model: model, quantized: quantized, test: test, floatAccuracy: model.evaluate(test).accuracy)
    }

    func fixture() throws -> Fixture { try Self.fixture.get() }

    func metadata() -> ModelMetadata {
        ModelMetadata(dataset: "mnist", classNames: (0..<10).map(String.init), inputShape: [28, 28, 1], testAccuracy: 0.98,
                      seed: 3, created: Date(timeIntervalSince1970: 1_735_689_600))
    }

    func testInt8AccuracyWithinATenthOfAPointOfFloat32OnTheMNISTTestSet() throws {
        let f = try fixture()
        let int8 = f.quantized.accuracy(f.test)
        print("QuantizationTests: float32 \(f.floatAccuracy), int8 \(int8) on 10,000 test images; \(f.quantized.implementations)")
        XCTAssertGreaterThan(f.floatAccuracy, 0.96)
        XCTAssertLessThanOrEqual(abs(int8 - f.floatAccuracy), 0.001)
        // Types follow the ranges: pixels and ReLU outputs never negative, a shifted batch norm output may be.
        XCTAssertEqual(f.quantized.inputType, .u8)
        XCTAssertEqual(f.quantized.inputScale, 1.0 / 255, accuracy: 1e-9)
        XCTAssertEqual(f.quantized.layers.map(\.name), ["conv1", "pool1", "conv2", "pool2", "flatten", "dense1", "output"])
        XCTAssertEqual(f.quantized.layers[5].outputType, .u8)
        XCTAssertNil(f.quantized.layers[6].outputType)
        XCTAssertEqual(f.quantized.calibrationImages, 1000)
    }

    func testInt8FileRoundTripsAndPredictsIdentically() throws {
        let f = try fixture()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("int8-\(UUID().uuidString).mnistbook")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(ModelFile.encode(f.quantized, metadata: metadata())).write(to: url)
        let (loaded, meta) = try ModelFile.readAny(from: url)
        guard case .int8(let q) = loaded else { return XCTFail("expected an int8 model") }
        XCTAssertEqual(loaded.precision, "int8")
        XCTAssertEqual(meta.formatVersion, 2)
        XCTAssertEqual(q.layers, f.quantized.layers)
        XCTAssertEqual(q.specs, f.model.specs)
        let x = f.test.slice(0..<500).batch(0..<500).x
        XCTAssertEqual(loaded.forward(x).scalars, f.quantized.forward(x).scalars)
        // About a quarter of the float32 file.
        let floatBytes = try ModelFile.encode(weights: f.model.weights(), of: f.model, metadata: metadata()).count
        let int8Bytes = try Data(contentsOf: url).count
        XCTAssertLessThan(Double(int8Bytes), 0.3 * Double(floatBytes))
        // The float32 reader refuses it by name; a float32 file still reads through readAny.
        XCTAssertThrowsError(try ModelFile.read(from: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path) holds an int8 model (format 2); this reader needs a float32 model")
        }
        let floatURL = url.deletingPathExtension().appendingPathExtension("f32.mnistbook")
        defer { try? FileManager.default.removeItem(at: floatURL) }
        try writeModelFile(f.model, metadata: metadata(), to: floatURL)
        let (floatLoaded, floatMeta) = try ModelFile.readAny(from: floatURL)
        XCTAssertEqual(floatLoaded.precision, "float32")
        XCTAssertEqual(floatMeta.formatVersion, 1)
        XCTAssertEqual(floatLoaded.forward(x).scalars, f.model.forward(x).scalars)
    }

    func testCorruptInt8FilesNameTheFileAndTheProblem() throws {
        let f = try fixture()
        let bytes = try ModelFile.encode(f.quantized, metadata: metadata())
        let path = "/models/int8.mnistbook"
        func assertError(_ b: [UInt8], _ message: String, line: UInt = #line) {
            XCTAssertThrowsError(try ModelFile.decodeAny(b, path: path), line: line) { error in
                XCTAssertEqual("\(error)", "\(path) \(message)", line: line)
            }
        }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        assertError(flipped, "is corrupt: its CRC-32 checksum does not match its contents")
        let jsonLength = bytes[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes[20..<(20 + jsonLength)])) as? [String: Any])
        let dataBytes = try XCTUnwrap(header["weights_bytes"] as? Int)
        XCTAssertEqual(bytes.count, 20 + jsonLength + dataBytes + 4)
        assertError(Array(bytes.prefix(bytes.count - 100)), "is truncated: expected \(dataBytes) bytes of weights, found \(dataBytes - 96)")
        assertError(edited(bytes) { $0.replacingOccurrences(of: "\"mode\" : \"int8\"", with: "\"mode\" : \"int4\"") },
                    "has an invalid int8 model: quantization mode 'int4', expected 'int8'")
        assertError(edited(bytes) { $0.replacingOccurrences(of: "\"conv2/kernel_scale\"", with: "\"conv2/kernel_scalf\"") },
                    "does not match its architecture: expected tensor 'conv2/kernel_scale', found 'conv2/kernel_scalf'")
        // The last "pool2" is in the quantization section (keys are sorted), not in the architecture.
        assertError(edited(bytes) { json in
            json.replacingOccurrences(of: "\"name\" : \"pool2\"", with: "\"name\" : \"pool9\"",
                                      range: json.range(of: "\"name\" : \"pool2\"", options: .backwards))
        },
                    "has an invalid int8 model: layer 4 is maxpool 'pool9', the architecture folds to maxpool 'pool2'")
        // A scale of zero or below would divide by zero in the kernels: refused before any is built.
        // The first "input_scale" (keys are sorted) is the model input's.
        assertError(edited(bytes) { json in
            json.replacingOccurrences(of: #""input_scale" : [0-9.eE+-]+"#, with: "\"input_scale\" : -1", options: .regularExpression,
                                      range: json.range(of: #""input_scale" : [0-9.eE+-]+"#, options: .regularExpression))
        }, "has an invalid int8 model: input scale -1.0 is not a positive number")
    }

    func testModelsInt8CannotRepresentAreRefusedWithTheLayer() throws {
        let model = try Model(name: "m", inputShape: [28, 28, 1], layers: [
            .batchnorm(name: "bn0", momentum: 0.9, epsilon: 0.001),
            .flatten(name: "f"),
            .dense(name: "out", units: 10, activation: .softmax, useBias: true),
        ], seed: 1)
        let images = ImageSet(pixels: [UInt8](repeating: 9, count: 784 * 2), labels: [0, 1], imageShape: [28, 28, 1])
        XCTAssertThrowsError(try QuantizedModel.quantize(model, calibration: images)) { error in
            XCTAssertEqual("\(error)", "cannot quantise to int8: batch norm 'bn0' has no conv2d or dense right before it to fold into")
        }
        XCTAssertThrowsError(try QuantizedModel.quantize(model, calibration: images.slice(0..<0))) { error in
            XCTAssertEqual("\(error)", "cannot quantise to int8: no calibration images")
        }
        // Residual blocks and global average pooling have no int8 kernels: refused by name, not run in float.
        let residual = try Model(name: "r", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "stem", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .residual(name: "block1", filters: 4, kernel: 3, strides: 1),
            .globalAvgPool(name: "gap"),
            .dense(name: "out", units: 10, activation: .softmax, useBias: true),
        ], seed: 1)
        XCTAssertThrowsError(try QuantizedModel.quantize(residual, calibration: images)) { error in
            XCTAssertEqual("\(error)", "cannot quantise to int8: layer 'block1' is a residual block; int8 models run conv2d, dense, maxpool and flatten only")
        }
        let pooled = try Model(name: "g", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "c", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .globalAvgPool(name: "gap"),
            .dense(name: "out", units: 10, activation: .softmax, useBias: true),
        ], seed: 1)
        XCTAssertThrowsError(try QuantizedModel.quantize(pooled, calibration: images)) { error in
            XCTAssertEqual("\(error)", "cannot quantise to int8: layer 'gap' is global average pooling; int8 models run conv2d, dense, maxpool and flatten only")
        }
    }

    /// Writes the QDQ export, the 10,000 test images and mnistbook's int8 probabilities for scripts/check_onnx_int8.py
    /// in MNISTBOOK_ONNX_CHECK_DIR/int8 (scripts/onnx_crosscheck.sh sets it).
    func testInt8ExportForOnnxruntimeCrossCheck() throws {
        let f = try fixture()
        let ops = ONNXExport.operatorTypes(for: f.quantized)
        XCTAssertEqual(Array(ops.prefix(4)), ["QuantizeLinear", "DequantizeLinear", "Transpose", "DequantizeLinear"])
        XCTAssertEqual(ops.filter { $0 == "Conv" }.count, 2)
        XCTAssertEqual(ops.filter { $0 == "MatMul" }.count, 2)
        XCTAssertEqual(ops.last, "Softmax")
        guard let dir = ProcessInfo.processInfo.environment["MNISTBOOK_ONNX_CHECK_DIR"], !dir.isEmpty else { return }
        // A folder of its own: check_onnx.py compares every .onnx in the main folder with the 1,000-image float files.
        let directory = URL(fileURLWithPath: dir).appendingPathComponent("int8")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(ONNXExport.data(for: f.quantized, metadata: metadata())).write(to: directory.appendingPathComponent("int8.onnx"))
        let x = f.test.batch(0..<f.test.count).x
        try Data(LittleEndianFloats.bytes(x.scalars)).write(to: directory.appendingPathComponent("test_images.f32"))
        try Data(LittleEndianFloats.bytes(f.quantized.predict(f.test).scalars))
            .write(to: directory.appendingPathComponent("int8.probabilities.f32"))
        print("int8 ONNX cross-check files in \(directory.path)")
    }
}
