import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// The residual block, global average pooling and strided pooling: gradients, shapes, counts, graph, files.
final class ResidualTests: XCTestCase {
    func testResidualBlockWithIdentityShortcutGradients() throws {
        // A small step: the block's two ReLUs have kinks that a 1e-2 step can cross.
        try checkLayer(.residual(name: "block", filters: 3, kernel: 3, strides: 1), input: [4, 4, 3], batch: 3, h: 1e-3)
    }

    func testResidualBlockWithProjectionShortcutGradients() throws {
        // strides 2 and 2 → 3 channels: the shortcut is a 1×1 convolution with batch norm.
        // Seed 11: a draw whose ReLU inputs stay clear of their kinks under the step (seed 7 puts one of bn_a's within it).
        try checkLayer(.residual(name: "block", filters: 3, kernel: 3, strides: 2), input: [5, 5, 2], batch: 3, seed: 11, h: 1e-3)
    }

    func testGlobalAveragePoolingGradient() throws {
        try checkLayer(.globalAvgPool(name: "gap"), input: [3, 4, 5])
    }

    func testMaxPoolWithStrideOneSamePaddingAndOverlappingWindows() throws {
        try checkLayer(.maxpool(name: "pool", pool: 3, strides: 1, padding: .same), input: [4, 5, 2],
                       x: separatedTensor([3, 4, 5, 2], seed: 4))
        try checkLayer(.maxpool(name: "pool", pool: 3, strides: 2, padding: .valid), input: [7, 7, 2],
                       x: separatedTensor([3, 7, 7, 2], seed: 5))
    }

    func testGlobalAveragePoolingIsTheChannelMean() throws {
        var rng = SeededGenerator(seed: 1)
        let layer = try LayerSpec.globalAvgPool(name: "gap").makeLayer(inputShape: [2, 2, 2], rng: &rng)
        let y = layer.forward(Tensor(shape: [1, 2, 2, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40]), training: false)
        XCTAssertEqual(y.shape, [1, 2])
        XCTAssertEqual(y.scalars, [2.5, 25])
    }

    func testShapesAndParameterCountsMatchKeras() throws {
        // Keras: Conv2D 4,608 + BN 128 + Conv2D 9,216 + BN 128 + shortcut Conv2D 512 + BN 128 = 14,720, 192 non-trainable.
        let down = LayerSpec.residual(name: "b", filters: 32, kernel: 3, strides: 2)
        XCTAssertEqual(try down.outputShape(for: [14, 14, 16]), [7, 7, 32])
        XCTAssertEqual(down.parameterCounts(for: [14, 14, 16]).trainable, 14_528)
        XCTAssertEqual(down.parameterCounts(for: [14, 14, 16]).nonTrainable, 192)
        // Same channels, stride 1: no projection. 2 × (9,216 + 128) = 18,688.
        let same = LayerSpec.residual(name: "b", filters: 32, kernel: 3, strides: 1)
        XCTAssertEqual(try same.outputShape(for: [7, 7, 32]), [7, 7, 32])
        let counts = same.parameterCounts(for: [7, 7, 32])
        XCTAssertEqual(counts.trainable + counts.nonTrainable, 18_688)
        // Odd sizes round up as TensorFlow's "same" padding does.
        XCTAssertEqual(try down.outputShape(for: [7, 7, 16]), [4, 4, 32])
        XCTAssertEqual(try LayerSpec.maxpool(name: "p", pool: 3, strides: 2, padding: .same).outputShape(for: [7, 7, 4]), [4, 4, 4])
        XCTAssertEqual(try LayerSpec.maxpool(name: "p", pool: 3, strides: 2).outputShape(for: [7, 7, 4]), [3, 3, 4])

        let model = try Model(name: "resnet", inputShape: [14, 14, 16], layers: smallResNet(), seed: 1)
        let built = model.layers.map(\.parameterCount)
        XCTAssertEqual(built[0], 14_720)
        XCTAssertEqual(model.parameterCount, model.specs.indices.reduce(0) { total, i in
            let c = model.specs[i].parameterCounts(for: model.layers[i].inputShape)
            return total + c.trainable + c.nonTrainable
        })
    }

    func testShapeErrorsForStridesAndGlobalPoolingAfterFlatten() {
        XCTAssertThrowsError(try LayerSpec.residual(name: "block1", filters: 8, kernel: 3, strides: 30).outputShape(for: [28, 28, 1])) {
            XCTAssertEqual("\($0)", "layer 'block1': strides 30 must be between 1 and the input size 28 (input is 28×28×1)")
        }
        XCTAssertThrowsError(try LayerSpec.conv2d(name: "c", filters: 8, kernel: 3, stride: 0, padding: .same, activation: .relu,
                                                  useBias: true).outputShape(for: [28, 28, 1])) {
            XCTAssertEqual("\($0)", "layer 'c': strides 0 must be between 1 and the input size 28 (input is 28×28×1)")
        }
        XCTAssertThrowsError(try LayerSpec.globalAvgPool(name: "gap").outputShape(for: [128])) {
            XCTAssertEqual("\($0)", "layer 'gap': global_avg_pool needs an image input [height, width, channels] with spatial axes left, got 128; put it before flatten and dense")
        }
    }

    func testGraphHasTheSkipConnectionAsASecondInputOfAdd() throws {
        let model = try Model(name: "resnet", inputShape: [14, 14, 16], layers: smallResNet(), seed: 1)
        let graph = model.graph
        XCTAssertEqual(graph.map(\.name), [
            "b1/conv_a", "b1/bn_a", "b1/relu_a", "b1/conv_b", "b1/bn_b", "b1/shortcut_conv", "b1/shortcut_bn", "b1/add", "b1/relu",
            "b2/conv_a", "b2/bn_a", "b2/relu_a", "b2/conv_b", "b2/bn_b", "b2/add", "b2/relu", "gap", "out"])
        XCTAssertEqual(graph.first { $0.name == "b1/add" }?.inputs, ["b1/bn_b", "b1/shortcut_bn"])
        XCTAssertEqual(graph.first { $0.name == "b1/shortcut_conv" }?.inputs, ["input"])
        XCTAssertEqual(graph.first { $0.name == "b2/add" }?.inputs, ["b2/bn_b", "b1/relu"])
        XCTAssertEqual(graph.reduce(0) { $0 + $1.parameterCount }, model.parameterCount)
        XCTAssertEqual(model.parameters.prefix(6).map(\.name), ["conv_a/kernel", "bn_a/gamma", "bn_a/beta", "bn_a/moving_mean",
                                                                  "bn_a/moving_variance", "conv_b/kernel"])
    }

    func testModelFileAndONNXGraphOfAResidualNet() throws {
        let model = try Model(name: "resnet", inputShape: [14, 14, 16], layers: smallResNet(), seed: 1)
        let metadata = ModelMetadata(dataset: "synthetic", classNames: (0..<10).map(String.init), preprocessing: .none,
                                     inputShape: [14, 14, 16], seed: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("residual-\(UUID()).mnistbook")
        defer { try? FileManager.default.removeItem(at: url) }
        try writeModelFile(model, metadata: metadata, to: url)
        let loaded = try ModelFile.read(from: url)
        XCTAssertEqual(loaded.model.specs, model.specs)
        let x = randomTensor([2, 14, 14, 16], seed: 9)
        XCTAssertEqual(loaded.model.forward(x).scalars, model.forward(x).scalars)
        let ops = try ONNXExport.operatorTypes(for: model)
        XCTAssertEqual(ops.filter { $0 == "Add" }.count, 2)
        XCTAssertEqual(ops.filter { $0 == "Conv" }.count, 5)
        XCTAssertEqual(Array(ops.suffix(5)), ["Relu", "GlobalAveragePool", "Flatten", "Gemm", "Softmax"])
    }

    func smallResNet() -> [LayerSpec] {
        [.residual(name: "b1", filters: 32, kernel: 3, strides: 2),
         .residual(name: "b2", filters: 32, kernel: 3, strides: 1),
         .globalAvgPool(name: "gap"),
         .dense(name: "out", units: 10, activation: .softmax, useBias: true)]
    }
}
