// `mnistbook predict` with an int8 model file: the same digits as the float32 file, and a damaged int8 file named.
import Datasets
import Foundation
import NeuralNet
import Report
import XCTest

final class PredictInt8Tests: XCTestCase {
    /// PredictCommandTests' float32 model, quantised with 1,000 training images, written into a folder of this test's own
    /// (PredictCommandTests' folder is gone once that class has run).
    func int8Model() throws -> (float: PredictCommandTests.Fixture, path: String) {
        let f = try PredictCommandTests.fixture.get()
        let (model, metadata) = try ModelFile.decode(f.modelBytes, path: f.modelPath)
        let mnist = try DatasetCatalog.load("mnist")
        let calibration = ImageSet(pixels: Array(mnist.train.images[0..<1000 * 784]), labels: mnist.train.labels[0..<1000].map(Int.init),
                                   imageShape: [28, 28, 1])
        let path = try temporaryFolder(self).appendingPathComponent("m.int8.mnistbook").path
        try Data(ModelFile.encode(QuantizedModel.quantize(model, calibration: calibration), metadata: metadata)).write(to: URL(fileURLWithPath: path))
        return (f, path)
    }

    func testInt8ModelClassifiesTheDigitsLikeTheFloat32Model() throws {
        let (f, path) = try int8Model()
        XCTAssertEqual(f.digits.count, 4)
        let folder = try temporaryFolder(self)
        var files: [String] = []
        for d in f.digits {
            try Data(PredictCommandTests.pgm(PredictCommandTests.drawn(d.pixels), width: 200, height: 200))
                .write(to: folder.appendingPathComponent("digit\(d.label).pgm"))
            files.append("digit\(d.label).pgm")
        }
        let run = try mnistbook(["predict", "--model", path] + files, in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        guard lines.count == f.digits.count else { return XCTFail("expected \(f.digits.count) lines, got: \(run.stdout)") }
        for (line, d) in zip(lines, f.digits) {
            XCTAssertTrue(line.hasPrefix("digit\(d.label).pgm: \(d.predicted) ("), line)
        }
    }

    func testDamagedInt8ModelIsNamed() throws {
        let (_, path) = try int8Model()
        let folder = try temporaryFolder(self)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 200] ^= 1
        try Data(bytes).write(to: folder.appendingPathComponent("flipped.mnistbook"))
        try Data(bytes.prefix(bytes.count - 300)).write(to: folder.appendingPathComponent("cut.mnistbook"))
        try Data(PredictCommandTests.pgm([0, 255, 0, 0], width: 2, height: 2)).write(to: folder.appendingPathComponent("a.pgm"))
        let flipped = try mnistbook(["predict", "--model", "flipped.mnistbook", "a.pgm"], in: folder)
        XCTAssertEqual(flipped.status, 1)
        XCTAssertEqual(flipped.stderr, "flipped.mnistbook is corrupt: its CRC-32 checksum does not match its contents\n")
        let cut = try mnistbook(["predict", "--model", "cut.mnistbook", "a.pgm"], in: folder)
        XCTAssertEqual(cut.status, 1)
        XCTAssertTrue(cut.stderr.hasPrefix("cut.mnistbook is truncated: expected "), cut.stderr)
    }
}
