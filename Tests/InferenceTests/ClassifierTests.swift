// The Inference library on models whose answers are known in closed form: a dense head with set weights.
import Datasets
import Foundation
import Inference
import NeuralNet
import Tensor
import Report
import XCTest

final class ClassifierTests: XCTestCase {
    /// flatten → dense(10): kernel column 0 all `ink`, the rest 0; bias 0, 1, …, 9.
    /// So logit k = k for k > 0 and logit 0 = ink · Σ x, with x the prepared pixels · scale.
    static func model(activation: ActivationFunction, ink: Float = 0) throws -> Model {
        let model = try Model(name: "known", inputShape: [28, 28, 1], layers: [
            .flatten(name: "flatten"),
            .dense(name: "output", units: 10, activation: activation, useBias: true),
        ], seed: 1)
        let dense = model.parameters
        var kernel = [Float](repeating: 0, count: 784 * 10)
        for i in 0..<784 { kernel[i * 10] = ink }
        dense[0].value = Tensor(shape: [784, 10], scalars: kernel)
        dense[1].value = Tensor(shape: [10], scalars: (0..<10).map(Float.init))
        return model
    }

    static let metadata = ModelMetadata(dataset: "mnist", classNames: (0..<10).map(String.init), inputShape: [28, 28, 1], seed: 1)

    /// A 3-pixel-wide vertical bar, black on white, on a 60×90 sheet: a "1".
    static let bar: GrayImage = {
        var pixels = [UInt8](repeating: 255, count: 60 * 90)
        for y in 10..<80 { for x in 20..<23 { pixels[y * 60 + x] = 0 } }
        return GrayImage(width: 60, height: 90, pixels: pixels)
    }()

    func softmax(_ z: [Double]) -> [Double] {
        let e = z.map { Foundation.exp($0 - z.max()!) }
        return e.map { $0 / e.reduce(0, +) }
    }

    func testLinearHeadIsTurnedIntoProbabilitiesAndSoftmaxHeadIsNotSoftmaxedTwice() throws {
        let expected = softmax((0..<10).map(Double.init))
        for activation in [ActivationFunction.linear, .softmax] {
            let classifier = try Classifier(model: Self.model(activation: activation), metadata: Self.metadata, path: "m")
            XCTAssertEqual(classifier.endsInSoftmax, activation == .softmax)
            let c = try classifier.classify(Self.bar, file: "bar.png")
            XCTAssertEqual(c.probabilities.count, 10)
            for (p, e) in zip(c.probabilities, expected) { XCTAssertEqual(Double(p), e, accuracy: 1e-6, "\(activation)") }
            XCTAssertEqual(c.ranking, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
            XCTAssertEqual(c.top3.map(\.className), ["9", "8", "7"])
        }
    }

    /// A `.ensemble` file: the mean of its members' probabilities, each member's logits softmaxed first.
    func testAnEnsembleFileAveragesItsMembersProbabilities() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("classifier-ensemble-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Self.model(activation: .linear), second = try Self.model(activation: .linear)
        second.parameters[1].value = Tensor(shape: [10], scalars: (0..<10).map { Float(9 - $0) })   // bias 9, 8, …, 0
        try AtomicFile.write(ModelFile.encode(weights: first.weights(), of: first, metadata: Self.metadata), to: folder.appendingPathComponent("m_member1.mnistbook"))
        try AtomicFile.write(ModelFile.encode(weights: second.weights(), of: second, metadata: Self.metadata), to: folder.appendingPathComponent("m_member2.mnistbook"))
        let file = EnsembleFile(members: [.init(file: "m_member1.mnistbook", seed: 1, testAccuracy: nil),
                                          .init(file: "m_member2.mnistbook", seed: 1001, testAccuracy: nil)])
        let path = folder.appendingPathComponent("m.ensemble").path
        try Data(try file.encoded()).write(to: URL(fileURLWithPath: path))

        let classifier = try Classifier.load(path: path)
        XCTAssertEqual(classifier.members.count, 1)
        let c = try classifier.classify(Self.bar, file: "bar.png")
        let up = softmax((0..<10).map(Double.init)), down = softmax((0..<10).map { Double(9 - $0) })
        for k in 0..<10 { XCTAssertEqual(Double(c.probabilities[k]), (up[k] + down[k]) / 2, accuracy: 1e-6, "class \(k)") }
        // Symmetric: 0 and 9 lead together (their order is left to float rounding), where either member alone is sure of one.
        XCTAssertEqual(Set(c.ranking.prefix(2)), [0, 9])
    }

    func testTheModelSeesThePreparedDigitScaledByTheFilesPreprocessing() throws {
        let classifier = try Classifier(model: Self.model(activation: .linear, ink: 0.01), metadata: Self.metadata, path: "m")
        let c = try classifier.classify(Self.bar, file: "bar.png")
        XCTAssertEqual(c.prepared, try DigitPreparation.prepare(Self.bar))
        XCTAssertEqual(c.prepared.width, 28)
        // The bar is 70 px tall: scaled to 20 rows, white on black, centred by mass.
        let rows = (0..<28).filter { y in (0..<28).contains { c.prepared[$0, y] > 0 } }
        XCTAssertEqual(rows.count, 20)
        let ink = c.prepared.pixels.reduce(0.0) { $0 + Double($1) / 255 }
        let expected = softmax([0.01 * ink] + (1..<10).map(Double.init))
        for (p, e) in zip(c.probabilities, expected) { XCTAssertEqual(Double(p), e, accuracy: 1e-5) }
    }

    func testBlankImageIsNamedWithWhy() throws {
        let classifier = try Classifier(model: Self.model(activation: .softmax), metadata: Self.metadata, path: "m")
        let blank = GrayImage(width: 10, height: 10, pixels: [UInt8](repeating: 200, count: 100))
        XCTAssertThrowsError(try classifier.classify(blank, file: "blank.png")) {
            XCTAssertEqual("\($0)", "blank.png: no digit found: the image is blank (every pixel has the background's brightness)")
        }
    }

    func testModelOfColourImagesIsRefused() throws {
        let model = try Model(name: "rgb", inputShape: [28, 28, 3], layers: [
            .flatten(name: "flatten"), .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: 1)
        XCTAssertThrowsError(try Classifier(model: model, metadata: Self.metadata, path: "rgb.mnistbook")) {
            XCTAssertEqual("\($0)", "rgb.mnistbook: predict needs a model of square grayscale images [N, N, 1]; this one takes [28, 28, 3]")
        }
    }

    func testLoadNamesTheFileAsGiven() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-inference-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.mnistbook").path
        XCTAssertThrowsError(try Classifier.load(path: path)) { XCTAssertEqual("\($0)", "\(path) does not exist") }
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Classifier.load(path: path)) {
            XCTAssertEqual("\($0)", "\(path) is not a mnistbook model: it does not start with \"MNISTBK\"")
        }
        let model = try Self.model(activation: .softmax)
        try AtomicFile.write(ModelFile.encode(weights: model.weights(), of: model, metadata: Self.metadata), to: URL(fileURLWithPath: path))
        let loaded = try Classifier.load(path: path)
        XCTAssertEqual(loaded.side, 28)
        XCTAssertEqual(loaded.box, 20)
        XCTAssertEqual(try loaded.classify(Self.bar, file: "bar").ranking.first, 9)
    }

    func testTiesRankTheLowerClassFirst() {
        let c = Classification(prepared: GrayImage(width: 1, height: 1, pixels: [0]),
                               probabilities: [0.1, 0.3, 0.3, 0.3, 0, 0, 0, 0, 0, 0], classNames: ["a", "b"])
        XCTAssertEqual(Array(c.ranking.prefix(4)), [1, 2, 3, 0])
        XCTAssertEqual(c.top3.map(\.className), ["b", "2", "3"])
    }
}
