// `serve` with an int8 model: the known dense head quantised (kernel 0 stays 0, bias 0…9 stays float), so its answers
// are the float32 model's in closed form; the file round trip goes through Classifier.load like `mnistbook serve`.
import Datasets
import Foundation
import Inference
import NeuralNet
import Report
import Serve
import Tensor
import XCTest

final class Int8ServiceTests: XCTestCase {
    /// ServerTests' known model quantised to int8 and written to a file, then loaded as `serve --model` loads it.
    func int8Classifier() throws -> (classifier: Classifier, path: String) {
        let float = try ServerTests.classifier()
        guard case .float32(let model) = float.model else { throw XCTSkip("ServerTests.classifier is float32") }
        var pixels = [UInt8](repeating: 0, count: 784 * 4)
        for i in stride(from: 0, to: pixels.count, by: 7) { pixels[i] = 255 }
        let calibration = ImageSet(pixels: pixels, labels: [0, 1, 2, 3], imageShape: [28, 28, 1])
        let quantized = try QuantizedModel.quantize(model, calibration: calibration)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("serve-int8-\(UUID().uuidString).mnistbook")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        try AtomicFile.write(ModelFile.encode(quantized, metadata: float.metadata), to: url)
        return (try Classifier.load(path: url.path), url.path)
    }

    func testInt8FileIsServedWithTheSameAnswersAndNamesItsPrecision() async throws {
        let (classifier, _) = try int8Classifier()
        XCTAssertEqual(classifier.model.precision, "int8")
        let service = try DigitService(classifier: classifier)
        var pixels = [UInt8](repeating: 0, count: 784)
        pixels[100] = 255
        let reply = try await service.predict(.prepared(pixels))
        XCTAssertEqual(reply.digit, "9")
        XCTAssertEqual(reply.probabilities, ServerTests.expectedProbabilities)
        XCTAssertEqual(reply.top3.map(\.className), ["9", "8", "7"])
        // /model lists the architecture the int8 model was quantised from, with the same parameter counts.
        XCTAssertEqual(String(decoding: service.modelJSON, as: UTF8.self),
            #"{"class_names":["0","1","2","3","4","5","6","7","8","9"],"created":"2023-11-14T22:13:20Z","#
            + #""dataset":"mnist","epoch":3,"input_shape":[28,28,1],"layers":[{"name":"flatten","output_shape":[784],"#
            + #""parameters":0,"type":"Flatten"},{"name":"output","output_shape":[10],"parameters":7850,"type":"Dense"}],"#
            + #""mnistbook_version":"0.1.0","name":"known","parameters":7850,"precision":"int8","preprocessing":"x / 255","test_accuracy":0.9912}"#)
    }

    func testDamagedInt8FileIsRefusedByNameBeforeServing() throws {
        let (_, path) = try int8Classifier()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 10] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Classifier.load(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path) is corrupt: its CRC-32 checksum does not match its contents")
        }
    }
}
