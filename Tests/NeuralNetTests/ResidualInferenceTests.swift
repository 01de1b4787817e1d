import Tensor
import XCTest
@testable import NeuralNet

/// The fused inference path and the folded model of residual blocks, global average pooling, strided and padded
/// pooling against the layers' own forward passes.
final class ResidualInferenceTests: XCTestCase {
    /// Strided convolution, a projection block (channels change), a strided projection block, an overlapping
    /// same-padded pool, an identity block, global average pooling.
    private let specs: [LayerSpec] = [
        .conv2d(name: "stem", filters: 6, kernel: 3, stride: 2, padding: .same, activation: .relu, useBias: true),
        .batchnorm(name: "bn0", momentum: 0.99, epsilon: 0.001),
        .residual(name: "block1", filters: 8, kernel: 3, strides: 1),
        .residual(name: "block2", filters: 8, kernel: 3, strides: 2),
        .maxpool(name: "pool", pool: 3, strides: 1, padding: .same),
        .residual(name: "block3", filters: 8, kernel: 3, strides: 1),
        .globalAvgPool(name: "gap"),
        .dense(name: "output", units: 10, activation: .softmax, useBias: true),
    ]

    /// Every layer, the blocks' inner ones included: their batch norms are randomised too.
    private func allLayers(_ model: Model) -> [Layer] { model.layers.flatMap { ($0 as? ResidualBlock)?.innerLayers ?? [$0] } }

    func testResidualNetworkRunsFusedAndEqualsTheLayersWithin1e5() throws {
        let model = try Model(name: "resnet", inputShape: [28, 28, 1], layers: specs, seed: 3)
        randomiseBatchNorms(allLayers(model), seed: 4)
        let steps = try XCTUnwrap(model.inferenceSteps(), "every layer has a fused step")
        // stem (bn0 in its post terms), three blocks, the pool, the average, the output.
        XCTAssertEqual(steps.count, 7)
        guard case let .residual(main1, shortcut1) = steps[1], case let .residual(_, shortcut2) = steps[2],
              case let .maxPool(pool, stride, same) = steps[3], case let .residual(_, shortcut3) = steps[4],
              case .globalAveragePool = steps[5] else { return XCTFail("steps: \(steps)") }
        XCTAssertEqual(main1.count, 2, "each inner batch norm folded into its convolution")
        XCTAssertEqual([shortcut1.count, shortcut2.count, shortcut3.count], [1, 1, 0], "projection, projection, identity")
        XCTAssertEqual([pool, stride], [3, 1])
        XCTAssertTrue(same)

        let x = randomTensor([6, 28, 28, 1], seed: 5)
        let fused = model.forward(x), layers = model.forwardLayerByLayer(x, training: false)
        XCTAssertEqual(fused.shape, [6, 10])
        XCTAssertLessThanOrEqual(fused.maxAbsDifference(layers), 1e-5)
        XCTAssertLessThanOrEqual(FoldedModel(model).forward(x).maxAbsDifference(layers), 1e-5)
        // The probabilities differ between images: a wrong path would not be caught by comparing constants.
        XCTAssertGreaterThan(layers.maxAbsDifference(Tensor(repeating: 0.1, shape: [6, 10])), 1e-3)
    }

    func testFoldedResidualBlockNamesItsBatchNormsAndPaths() throws {
        let model = try Model(name: "resnet", inputShape: [28, 28, 1], layers: specs, seed: 3)
        let folded = model.foldingBatchNorm()
        XCTAssertEqual(folded.map(\.name), ["stem", "block1", "block2", "pool", "block3", "gap", "output"])
        let block = folded[1]
        XCTAssertEqual(block.kind, .residual)
        XCTAssertEqual(block.foldedBatchNorms, ["block1/bn_a", "block1/bn_b", "block1/shortcut_bn"])
        XCTAssertEqual(block.branches?.main.map(\.activation), [.relu, .linear])
        XCTAssertEqual(folded[4].branches?.shortcut.count, 0)
    }

    func testOneImageOfAResidualNetworkEqualsItsRowOfABatchBitForBit() throws {
        let model = try Model(name: "resnet", inputShape: [28, 28, 1], layers: specs, seed: 8)
        randomiseBatchNorms(allLayers(model), seed: 2)
        let n = 9, x = randomTensor([n, 28, 28, 1], seed: 6)
        let batched = model.forward(x).scalars, pixels = x.scalars
        for i in 0..<n {
            let one = Tensor(shape: [1, 28, 28, 1], scalars: Array(pixels[i * 784..<(i + 1) * 784]))
            XCTAssertEqual(model.forward(one).scalars, Array(batched[i * 10..<(i + 1) * 10]), "image \(i)")
        }
    }

    /// Trained weights, not just initial ones: a few Adam steps move every parameter, then the paths still agree.
    func testAfterTrainingStepsTheFusedPathStillEqualsTheLayers() throws {
        let model = try Model(name: "resnet", inputShape: [28, 28, 1], layers: specs, seed: 1)
        let x = randomTensor([8, 28, 28, 1], seed: 9)
        var optimizer = Optimizer(.adam, learningRate: 0.01)
        let before = model.forward(x)
        for _ in 0..<3 {
            _ = model.computeGradients(x, labels: [0, 1, 2, 3, 4, 5, 6, 7])
            optimizer.step(model.trainableParameters)
        }
        let after = model.forward(x)
        XCTAssertGreaterThan(after.maxAbsDifference(before), 1e-4, "the cached network was rebuilt for the new weights")
        XCTAssertLessThanOrEqual(after.maxAbsDifference(model.forwardLayerByLayer(x, training: false)), 1e-5)
    }
}
