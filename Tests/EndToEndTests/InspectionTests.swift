import Foundation
import Tensor
import XCTest
@testable import NeuralNet
import Report
import Notebook
@testable import Stages

/// The inspect outputs for a tiny model, read back: tile counts, kernel grids, saliency shape, embedding points.
final class InspectionTests: XCTestCase {
    func makeModel() throws -> Model {
        try Model(name: "tiny", inputShape: [8, 8, 1], layers: [
            .conv2d(name: "conv1", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .maxpool(name: "pool1", pool: 2),
            .conv2d(name: "conv2", filters: 3, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .flatten(name: "flatten"),
            .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: 5)
    }

    func makeTest(count: Int = 30) -> ImageSet {
        var rng = SeededGenerator(seed: 2)
        let pixels = (0..<(count * 64)).map { _ in UInt8(rng.nextUnitFloat() * 255) }
        return ImageSet(pixels: pixels, labels: (0..<count).map { $0 % 10 }, imageShape: [8, 8, 1])
    }

    func grids(_ outputs: [Output]) -> [ImageGrid] {
        outputs.compactMap { if case .imageGrid(let g) = $0 { return g }; return nil }
    }

    func diagrams(_ outputs: [Output]) -> [String] {
        outputs.compactMap { if case .diagram(let svg, _) = $0 { return svg }; return nil }
    }

    func testFeatureMapsFiltersSaliencyAndEmbedding() throws {
        let model = try makeModel()
        let test = makeTest()
        let options = InspectOptions(images: [0, 13], layers: nil, filters: true, saliency: true, embedding: ("flatten", 25))
        let outputs = try Inspection.outputs(model: model, test: test, classNames: (0..<10).map(String.init), options: options)
        let all = grids(outputs)

        XCTAssertEqual(all.first?.images.count, 2, "the inspected images themselves")
        let maps = all.filter { $0.title?.hasPrefix("Feature maps") == true }
        // channels × images × layers: (4 + 3) channels × 2 images, in 2 layers × 2 images grids.
        XCTAssertEqual(maps.count, 4)
        XCTAssertEqual(maps.reduce(0) { $0 + $1.images.count }, (4 + 3) * 2)
        XCTAssertEqual(maps.map { $0.images[0].width }, [8, 8, 4, 4])

        let kernels = all.filter { $0.title?.contains("kernels") == true }
        XCTAssertEqual(kernels.count, 2)
        XCTAssertEqual(kernels.map(\.images.count), [4, 4])
        XCTAssertEqual(kernels[0].images[0].width, 3)

        let svgs = diagrams(outputs)
        XCTAssertEqual(svgs.count, 2)
        let saliency = svgs[0]
        XCTAssertEqual(captures("data-shape=\"([^\"]+)\"", in: saliency), ["8×8", "8×8"])
        // Each heat PNG is the image's own size (IHDR width and height).
        for png in captures("href=\"data:image/png;base64,([^\"]+)\"", in: saliency) {
            let bytes = [UInt8](try XCTUnwrap(Data(base64Encoded: png)))
            XCTAssertEqual(Array(bytes[16..<24]), [0, 0, 0, 8, 0, 0, 0, 8])
        }
        let embedding = svgs[1]
        XCTAssertEqual(captures("(class=\"point)", in: embedding).count, 25)
        XCTAssertTrue(embedding.contains(">9</text>"), "a legend entry per class")
    }

    func testDefaultsAreOneImagePerClassAndEveryConvolution() throws {
        let outputs = try Inspection.outputs(model: try makeModel(), test: makeTest(), classNames: [],
                                             options: InspectOptions(filters: false, saliency: false))
        let maps = grids(outputs).filter { $0.title?.hasPrefix("Feature maps") == true }
        XCTAssertEqual(grids(outputs).first?.images.count, 10)
        XCTAssertEqual(maps.count, 20)
        XCTAssertEqual(maps.reduce(0) { $0 + $1.images.count }, (4 + 3) * 10)
    }

    func testBadChoicesAreNamed() throws {
        let model = try makeModel()
        XCTAssertThrowsError(try Inspection.outputs(model: model, test: makeTest(), classNames: [],
                                                    options: InspectOptions(images: [30]))) {
            XCTAssertEqual("\($0)", "inspect: image 30 is not in the test set, which has 30 images (0…29)")
        }
        XCTAssertThrowsError(try Inspection.outputs(model: model, test: makeTest(), classNames: [],
                                                    options: InspectOptions(layers: ["conv3"]))) {
            XCTAssertEqual("\($0)", "inspect: the model has no layer 'conv3'; its layers are conv1, pool1, conv2, flatten, output")
        }
        XCTAssertThrowsError(try Inspection.outputs(model: model, test: makeTest(), classNames: [],
                                                    options: InspectOptions(layers: ["output"]))) {
            XCTAssertEqual("\($0)", "inspect: layer 'output' outputs [10] values, not feature maps; "
                + "pick a convolution, batchnorm or pooling layer, or use embedding: {layer: output}")
        }
        XCTAssertThrowsError(try Inspection.outputs(model: model, test: makeTest(), classNames: [],
                                                    options: InspectOptions(images: Array(repeating: 0, count: 101)))) {
            XCTAssertEqual("\($0)", "inspect: 101 images are too many to draw; give at most 100 test indices")
        }
    }

    /// train.track follows one digit of each class in turn; track_images names them, checked against the test set.
    func testTrackedDigits() throws {
        func train(_ extra: [String: ParamValue]) -> TrainStage {
            TrainStage(ValidatedStep(stage: "train", line: 1, column: 1, blockIndex: 0,
                                     params: TrainStage.schema.defaults.merging(extra) { _, new in new }))
        }
        let test = makeTest()   // labels 0, 1, …, 9, 0, 1, …
        XCTAssertEqual(try train(["track": .int(12)]).trackedIndices(test: test, classes: 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        XCTAssertEqual(try train([:]).trackedIndices(test: test, classes: 10), [], "track defaults to 0: no timelapse")
        XCTAssertEqual(try train(["track_images": .list([.int(7), .int(3)])]).trackedIndices(test: test, classes: 10), [7, 3])
        XCTAssertThrowsError(try train(["track_images": .list([.int(5), .int(30)])]).trackedIndices(test: test, classes: 10)) {
            XCTAssertEqual("\($0)", "track_images: image 30 is not in the test set, which has 30 images (0…29)")
        }
        XCTAssertThrowsError(try train(["track_images": .list(Array(repeating: .int(0), count: 101))]).trackedIndices(test: test, classes: 10)) {
            XCTAssertEqual("\($0)", "track_images: 101 digits are too many for the timelapse; give at most 100")
        }
    }
}
