import Datasets
import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// A small CNN with every kind of layer, quick to train.
let modelFileTestLayers: [LayerSpec] = [
    .conv2d(name: "conv1", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
    .batchnorm(name: "bn1", momentum: 0.99, epsilon: 0.001),
    .maxpool(name: "pool1", pool: 2),
    .conv2d(name: "conv2", filters: 6, kernel: 2, stride: 2, padding: .valid, activation: .tanh, useBias: false),
    .flatten(name: "flatten"),
    .dense(name: "dense1", units: 16, activation: .relu, useBias: true),
    .dropout(name: "dropout", rate: 0.5),
    .dense(name: "output", units: 10, activation: .softmax, useBias: true),
]

final class ModelFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mnistbook-modelfile-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func metadata(seed: UInt64 = 7, accuracy: Double? = nil) -> ModelMetadata {
        ModelMetadata(dataset: "mnist", classNames: (0..<10).map(String.init), preprocessing: .divideBy255,
                      inputShape: [28, 28, 1], testAccuracy: accuracy, epoch: 1, seed: seed,
                      created: Date(timeIntervalSince1970: 1_735_689_600))
    }

    /// A saved small model with random weights and non-trivial batch-norm statistics.
    private func savedModel(_ name: String = "m.mnistbook") throws -> (Model, URL, [UInt8]) {
        let model = try Model(name: "small", inputShape: [28, 28, 1], layers: modelFileTestLayers, seed: 3)
        var rng = SeededGenerator(seed: 11)
        model.setWeights(model.weights().map { w in
            Tensor(shape: w.shape, scalars: (0..<w.count).map { _ in rng.nextUnitFloat() + 0.1 })
        })
        let url = directory.appendingPathComponent(name)
        try writeModelFile(model, metadata: metadata(), to: url)
        return (model, url, [UInt8](try Data(contentsOf: url)))
    }

    private func assertReadError(_ url: URL, _ expected: String, _ kind: ModelFileError.Kind,
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ModelFile.read(from: url), file: file, line: line) { error in
            XCTAssertEqual("\(error)", expected, file: file, line: line)
            XCTAssertEqual((error as? ModelFileError)?.kind, kind, file: file, line: line)
        }
    }

    private func rewrite(_ url: URL, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: url)
    }

    // MARK: round trips

    /// The issue's test: train briefly, save, load, identical outputs on 1,000 test images.
    func testTrainSaveLoadGivesBitIdenticalPredictionsOnMNIST() throws {
        let mnist = try DatasetCatalog.load("mnist")
        let train = mnist.train.imageSet(first: 640)
        let test = mnist.test.imageSet(first: 1000)
        let model = try Model(name: "small", inputShape: [28, 28, 1], layers: modelFileTestLayers, seed: 5)
        var configuration = TrainingConfiguration()
        configuration.epochs = 1
        configuration.seed = 5
        let (fitTrain, validation) = train.splitValidation(0.2)
        let history = try fit(model, training: fitTrain, validation: validation, configuration: configuration)
        let accuracy = model.evaluate(test).accuracy

        let url = directory.appendingPathComponent("small.mnistbook")
        try writeModelFile(model, metadata: metadata(seed: 5, accuracy: accuracy), to: url)
        let (loaded, meta) = try ModelFile.read(from: url)

        XCTAssertEqual(loaded.name, "small")
        XCTAssertEqual(loaded.inputShape, [28, 28, 1])
        XCTAssertEqual(loaded.specs, model.specs)
        XCTAssertEqual(loaded.parameterCount, model.parameterCount)
        XCTAssertEqual(loaded.weights().map(\.shape), model.weights().map(\.shape))
        XCTAssertEqual(loaded.weights().map { $0.scalars.map(\.bitPattern) }, model.weights().map { $0.scalars.map(\.bitPattern) })
        XCTAssertEqual(meta.testAccuracy, accuracy)

        let before = model.predict(test).scalars, after = loaded.predict(test).scalars
        XCTAssertEqual(before.count, 10_000)
        XCTAssertEqual(before.map(\.bitPattern), after.map(\.bitPattern), "predictions of the reloaded model differ")
        XCTAssertEqual(loaded.evaluate(test).accuracy, accuracy)

        // The best checkpoint goes through the weights variant.
        if let best = history.checkpointWeights {
            let checkpoint = directory.appendingPathComponent("small_best.mnistbook")
            try writeModelFile(model, weights: best, metadata: metadata(seed: 5), to: checkpoint)
            XCTAssertEqual(try ModelFile.read(from: checkpoint).model.weights().map(\.scalars), best.map(\.scalars))
        } else {
            XCTFail("fit kept no checkpoint")
        }
    }

    func testReferenceCNNRoundTripsWithKerasParameterCounts() throws {
        let model = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 42)
        let url = directory.appendingPathComponent("mnist_cnn.mnistbook")
        try writeModelFile(model, metadata: metadata(seed: 42), to: url)
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
        let (loaded, _) = try ModelFile.read(from: url)
        XCTAssertEqual(loaded.parameterCount, 459_210)
        XCTAssertEqual(loaded.trainableParameterCount, 458_890)
        XCTAssertEqual(loaded.specs, LayerSpec.referenceCNN)
        XCTAssertEqual(loaded.weights().map(\.scalars), model.weights().map(\.scalars))
        XCTAssertGreaterThan(size, 459_210 * 4)
        XCTAssertLessThan(size, 459_210 * 4 + 16_384, "the JSON header should stay small")
    }

    func testMetadataRoundTrips() throws {
        let model = try Model(name: "fashion", inputShape: [28, 28, 1], layers: modelFileTestLayers, seed: 1)
        let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot — «é»"]
        var meta = ModelMetadata(dataset: "fashion-mnist", classNames: names,
                                 preprocessing: .init(scale: 1 / (255 * 0.3530), shift: -0.2860 / 0.3530, description: "(x / 255 − 0.2860) / 0.3530"),
                                 inputShape: [28, 28, 1], testAccuracy: 0.912_345_678_9, epoch: 17, seed: 12_345_678_901_234_567_890,
                                 created: Date(timeIntervalSince1970: 1_700_000_000))
        XCTAssertEqual(meta.created, "2023-11-14T22:13:20Z")
        XCTAssertEqual(meta.mnistbookVersion, mnistbookVersion)
        XCTAssertEqual(meta.formatVersion, 1)
        let url = directory.appendingPathComponent("fashion.mnistbook")
        try writeModelFile(model, metadata: meta, to: url)
        XCTAssertEqual(try ModelFile.read(from: url).metadata, meta)
        XCTAssertEqual(try ModelFile.readMetadata(from: url), meta)

        meta.testAccuracy = nil
        meta.epoch = nil
        try writeModelFile(model, metadata: meta, to: url)
        XCTAssertEqual(try ModelFile.read(from: url).metadata, meta)

        // ModelMetadata is Codable on its own too (for metrics.json and friends).
        let json = try JSONEncoder().encode(meta)
        XCTAssertEqual(try JSONDecoder().decode(ModelMetadata.self, from: json), meta)
    }

    func testFileLayoutMatchesTheDocumentation() throws {
        let (model, _, bytes) = try savedModel()
        XCTAssertEqual(Array(bytes[0..<8]), Array("MNISTBK\0".utf8))
        XCTAssertEqual(Array(bytes[8..<12]), [1, 0, 0, 0])
        let jsonLength = bytes[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) }
        let weightsStart = 20 + jsonLength
        XCTAssertEqual(weightsStart % 16, 0, "weights start on a 16-byte boundary")
        XCTAssertEqual(bytes.count, weightsStart + model.parameterCount * 4 + 4)
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        let stored = bytes[(bytes.count - 4)...].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        XCTAssertEqual(stored, CRC32.checksum(bytes[0..<(bytes.count - 4)]))

        let json = try JSONSerialization.jsonObject(with: Data(bytes[20..<weightsStart])) as! [String: Any]
        XCTAssertEqual(json["format"] as? String, "mnistbook")
        XCTAssertEqual(json["format_version"] as? Int, 1)
        XCTAssertEqual(json["checksum"] as? String, "crc32")
        XCTAssertEqual(json["weights_bytes"] as? Int, model.parameterCount * 4)
        let architecture = json["model"] as! [String: Any]
        XCTAssertEqual(architecture["name"] as? String, "small")
        XCTAssertEqual(architecture["input_shape"] as? [Int], [28, 28, 1])
        let first = (architecture["layers"] as! [[String: Any]])[0]["conv2d"] as! [String: Any]
        XCTAssertEqual(first["filters"] as? Int, 4)
        XCTAssertEqual(first["use_bias"] as? Bool, true)
        let table = json["parameters"] as! [[String: Any]]
        XCTAssertEqual(table.map { $0["name"] as! String }, [
            "conv1/kernel", "conv1/bias", "bn1/gamma", "bn1/beta", "bn1/moving_mean", "bn1/moving_variance",
            "conv2/kernel", "dense1/kernel", "dense1/bias", "output/kernel", "output/bias",
        ])
        XCTAssertEqual(table[0]["shape"] as? [Int], [3, 3, 1, 4])
        XCTAssertEqual(table[0]["offset"] as? Int, 0)
        XCTAssertEqual(table[1]["offset"] as? Int, 36 * 4)
        XCTAssertEqual(table[4]["trainable"] as? Bool, false)
        let meta = json["metadata"] as! [String: Any]
        XCTAssertEqual((meta["preprocessing"] as! [String: Any])["description"] as? String, "x / 255")
        XCTAssertEqual(meta["class_names"] as? [String], (0..<10).map(String.init))
        XCTAssertEqual(meta["mnistbook_version"] as? String, "0.1.0")
        XCTAssertEqual(meta["created"] as? String, "2025-01-01T00:00:00Z")

        // The first weight is conv1's kernel[0, 0, 0, 0], little-endian float32.
        let firstWeight = Float(bitPattern: bytes[weightsStart..<(weightsStart + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        XCTAssertEqual(firstWeight, model.weights()[0][flat: 0])
    }

    func testWritingIsAtomicAndLeavesNoTemporaryFiles() throws {
        let (_, url, _) = try savedModel()
        let (_, again, _) = try savedModel()    // replaces the file
        XCTAssertEqual(url, again)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["m.mnistbook"])
    }

    func testWritingChecksWeightsAndClassNames() throws {
        let model = try Model(name: "small", inputShape: [28, 28, 1], layers: modelFileTestLayers, seed: 3)
        let url = directory.appendingPathComponent("bad.mnistbook")
        XCTAssertThrowsError(try writeModelFile(model, weights: Array(model.weights().dropLast()), metadata: metadata(), to: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path) cannot be written: 10 weight tensors for a model with 11 parameters")
        }
        var weights = model.weights()
        weights[0] = Tensor(zeros: [3, 3, 1, 5])
        XCTAssertThrowsError(try writeModelFile(model, weights: weights, metadata: metadata(), to: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path) cannot be written: weights for 'conv1/kernel' have shape 3×3×1×5, the model needs 3×3×1×4")
        }
        var meta = metadata()
        meta.classNames = ["a", "b"]
        XCTAssertThrowsError(try writeModelFile(model, metadata: meta, to: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path) cannot be written: 2 class names for a model with 10 outputs")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    // MARK: bad files: each gives its own message, starting with the path

    func testTruncatedFile() throws {
        let (model, url, bytes) = try savedModel()
        let weightsBytes = model.parameterCount * 4
        try rewrite(url, Array(bytes.dropLast(1000)))
        assertReadError(url, "\(url.path) is truncated: expected \(weightsBytes) bytes of weights, found \(weightsBytes - 996)", .truncated)

        try rewrite(url, Array(bytes.dropLast(2)))
        assertReadError(url, "\(url.path) is truncated: expected a 4-byte CRC-32 after the weights, found 2 bytes", .truncated)

        try rewrite(url, Array(bytes.prefix(100)))
        let jsonLength = bytes[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) }
        assertReadError(url, "\(url.path) is truncated: expected \(jsonLength) bytes of architecture JSON, found 80", .truncated)

        try rewrite(url, Array(bytes.prefix(12)))
        assertReadError(url, "\(url.path) is truncated: expected a 20-byte header, found 12 bytes", .truncated)
    }

    func testFlippedByteFailsTheChecksum() throws {
        let (_, url, bytes) = try savedModel()
        var flipped = bytes
        flipped[bytes.count - 5000] ^= 0x10      // in the weights
        try rewrite(url, flipped)
        assertReadError(url, "\(url.path) is corrupt: its CRC-32 checksum does not match its contents", .corrupt)

        flipped = bytes
        flipped[60] ^= 0x01                      // in the JSON header
        try rewrite(url, flipped)
        assertReadError(url, "\(url.path) is corrupt: its CRC-32 checksum does not match its contents", .corrupt)

        try rewrite(url, bytes + [0])            // a byte too many
        assertReadError(url, "\(url.path) is corrupt: its CRC-32 checksum does not match its contents", .corrupt)
    }

    func testWrongMagic() throws {
        let (_, url, bytes) = try savedModel()
        var other = bytes
        other[0] = UInt8(ascii: "X")
        try rewrite(url, other)
        assertReadError(url, "\(url.path) is not a mnistbook model: it does not start with \"MNISTBK\"", .notAModel)

        let png = directory.appendingPathComponent("digit.png")
        try rewrite(png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 64))
        assertReadError(png, "\(png.path) is not a mnistbook model: it does not start with \"MNISTBK\"", .notAModel)

        let empty = directory.appendingPathComponent("empty.mnistbook")
        try rewrite(empty, [])
        assertReadError(empty, "\(empty.path) is not a mnistbook model: the file is empty", .notAModel)

        let missing = directory.appendingPathComponent("missing.mnistbook")
        assertReadError(missing, "\(missing.path) does not exist", .io)
    }

    func testNewerFormatVersion() throws {
        let (_, url, bytes) = try savedModel()
        var newer = bytes
        newer[8] = 3
        try rewrite(url, newer)
        assertReadError(url, "\(url.path) was written by a newer mnistbook (format 3); this build reads formats 1 and 2", .newerFormat)
    }

    func testParameterShapesThatDoNotMatchTheArchitecture() throws {
        let (_, url, bytes) = try savedModel()
        // conv1 with 5 filters needs a 3×3×1×5 kernel, the table still says 3×3×1×4.
        let wider = edited(bytes) { json in
            let range = json.range(of: #""filters" *: *4"#, options: .regularExpression)!
            return json.replacingCharacters(in: range, with: json[range].replacingOccurrences(of: "4", with: "5"))
        }
        try rewrite(url, wider)
        assertReadError(url, "\(url.path) does not match its architecture: parameter 'conv1/kernel' has shape 3×3×1×4, the architecture needs 3×3×1×5", .shapeMismatch)

        // A conv without bias has one parameter fewer than the table lists.
        let noBias = edited(bytes) { json in
            let range = json.range(of: #""use_bias" *: *true"#, options: .regularExpression)!
            return json.replacingCharacters(in: range, with: json[range].replacingOccurrences(of: "true", with: "false"))
        }
        try rewrite(url, noBias)
        assertReadError(url, "\(url.path) does not match its architecture: it has 11 parameter tensors, the architecture needs 10", .shapeMismatch)
    }

    func testInvalidArchitecture() throws {
        let (_, url, bytes) = try savedModel()
        let unknown = edited(bytes) { $0.replacingOccurrences(of: "\"conv2d\"", with: "\"conv3d\"") }
        try rewrite(url, unknown)
        XCTAssertThrowsError(try ModelFile.read(from: url)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(url.path) has an invalid architecture: "), "\(error)")
            XCTAssertEqual((error as? ModelFileError)?.kind, .invalidArchitecture)
        }

        // Valid JSON, but the layers do not fit together.
        let misfit = edited(bytes) { json in
            let range = json.range(of: #""pool" *: *2"#, options: .regularExpression)!
            return json.replacingCharacters(in: range, with: json[range].replacingOccurrences(of: "2", with: "29"))
        }
        try rewrite(url, misfit)
        assertReadError(url, "\(url.path) has an invalid architecture: layer 'pool1': pool 29×29 does not fit a 28×28 input", .invalidArchitecture)
    }
}

/// The engine encodes and the caller writes (Stages through Report's AtomicFile); the tests write plainly.
func writeModelFile(_ model: Model, weights: [Tensor]? = nil, metadata: ModelMetadata, to url: URL) throws {
    try Data(ModelFile.encode(weights: weights ?? model.weights(), of: model, metadata: metadata, path: url.path)).write(to: url)
}
