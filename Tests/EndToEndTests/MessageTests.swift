import Foundation
import NeuralNet
import Tensor
import XCTest

/// The issue's "messages and small holes": each says what is wrong, where, with the right exit status.
final class MessageTests: XCTestCase {
    func testCheckRefusesADatasetFolderThatDoesNotExist() throws {
        let folder = try temporaryFolder(self)
        let source = smallNotebook(dataset: "/nonexistent")
        _ = try writeNotebook(source, named: "nb.md", in: folder)
        let run = try mnistbook(["check", "nb.md"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "nb.md:\(lineNumber(of: "```load", in: source)):1: load: dataset '/nonexistent' is not one of "
                       + "mnist, fashion-mnist, kmnist and /nonexistent does not exist; give a catalog name or a folder of IDX files\n")

        // A relative folder is looked for beside the notebook, and named there.
        _ = try writeNotebook(smallNotebook(dataset: "my-digits"), named: "rel.md", in: folder)
        let relative = try mnistbook(["check", "rel.md"], in: folder)
        XCTAssertEqual(relative.status, 1)
        XCTAssertTrue(relative.stderr.hasSuffix("load: dataset 'my-digits' is not one of mnist, fashion-mnist, kmnist and "
                                                + "\(folder.appendingPathComponent("my-digits").standardizedFileURL.path) does not exist; "
                                                + "give a catalog name or a folder of IDX files\n"), relative.stderr)
        // An existing folder passes check (its files are read when the notebook runs).
        try writeIDXDataset(in: folder.appendingPathComponent("my-digits"))
        XCTAssertEqual(try mnistbook(["check", "rel.md"], in: folder).status, 0)
    }

    func testABadSaveNameFromTheCommandLineIsBlamedOnTheFlag() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(smallNotebook(), named: "nb.md", in: folder)
        let run = try mnistbook(["check", "nb.md", "--set", "save.name=../x"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "--set save.name=../x: name '../x' must be a file name, without '/'\n")
    }

    func testStrideIntMaxIsAboutTheStride() throws {
        let folder = try temporaryFolder(self)
        let source = smallNotebook().replacingOccurrences(of: "kernel: 3,", with: "kernel: 3, strides: 9223372036854775807,")
        _ = try writeNotebook(source, named: "nb.md", in: folder)
        let run = try mnistbook(["check", "nb.md"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.hasSuffix("build: 'strides' must be in [1, 64], got 9223372036854775807\n"), run.stderr)
    }

    func testPredictNamesAModelThatIsAFolderOrADevice() throws {
        let folder = try temporaryFolder(self)
        let image = folder.appendingPathComponent("x.pgm")
        try Data("P5\n2 2\n255\n".utf8 + [0, 255, 255, 0]).write(to: image)
        let asFolder = try mnistbook(["predict", "--model", folder.path, image.path], in: folder)
        XCTAssertEqual(asFolder.status, 1)
        XCTAssertEqual(asFolder.stderr, "\(folder.path) is a folder, not a model file\n")
        let device = try mnistbook(["predict", "--model", "/dev/zero", image.path], in: folder)
        XCTAssertEqual(device.status, 1)
        XCTAssertEqual(device.stderr, "/dev/zero is a device, not a model file\n")
        // An image that is a folder or a FIFO is refused the same way, never waited for.
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("pipe.png").path, 0o644), 0)
        let model = folder.appendingPathComponent("m.mnistbook")
        let small = try Model(name: "m", inputShape: [28, 28, 1], layers: [
            .flatten(name: "flatten"), .dense(name: "output", units: 10, activation: .softmax, useBias: true)], seed: 1)
        try writeModelFile(small, metadata: ModelMetadata(dataset: "mnist", classNames: (0..<10).map(String.init),
                                                           inputShape: [28, 28, 1], seed: 1), to: model)
        let pipe = try mnistbook(["predict", "--model", model.path, "pipe.png"], in: folder)
        XCTAssertEqual(pipe.status, 1)
        XCTAssertEqual(pipe.stderr, "pipe.png: cannot be read (it is a FIFO (named pipe))\n")
    }

    func testPredictRefusesOutputsThatAreNotNumbers() throws {
        // Finite weights whose sum overflows float32 on a bright image: the scores are inf − inf = NaN.
        let folder = try temporaryFolder(self)
        let model = try Model(name: "m", inputShape: [28, 28, 1], layers: [
            .flatten(name: "flatten"), .dense(name: "output", units: 10, activation: .linear, useBias: true)], seed: 1)
        var weights = model.weights()
        weights[0] = Tensor(shape: weights[0].shape, scalars: (0..<weights[0].count).map { ($0 / 10) % 2 == 0 ? 3e38 : -3e38 })
        model.setWeights(weights)
        let url = folder.appendingPathComponent("overflow.mnistbook")
        try writeModelFile(model, metadata: ModelMetadata(dataset: "mnist", classNames: (0..<10).map(String.init),
                                                           preprocessing: .none, inputShape: [28, 28, 1], seed: 1), to: url)
        let image = folder.appendingPathComponent("x.pgm")
        var pixels = [UInt8](repeating: 0, count: 28 * 28)
        for y in 6..<22 { for x in 12..<16 { pixels[y * 28 + x] = 255 } }
        try Data("P5\n28 28\n255\n".utf8 + pixels).write(to: image)
        let run = try mnistbook(["predict", "--model", url.path, "x.pgm"], in: folder)
        XCTAssertEqual(run.status, 1, run.stdout)
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(run.stderr.hasPrefix("x.pgm: the model's output is not a number ("), run.stderr)
        XCTAssertTrue(run.stderr.hasSuffix("); its weights overflow on this image\n"), run.stderr)
    }
}
