import Datasets
import Tensor
import XCTest
@testable import NeuralNet

final class BatchNormFoldingTests: XCTestCase {
    func testFoldedReferenceCNNEqualsUnfoldedOnMNIST() throws {
        let mnist = try DatasetCatalog.load("mnist")
        let images = mnist.test.imageSet().slice(0..<256)
        let model = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 7)
        randomiseBatchNorms(model.layers, seed: 3)
        let folded = FoldedModel(model)
        // conv+relu+bn ×3, pools, flatten, dense, output: no batch norm or dropout left.
        XCTAssertEqual(folded.layers.map(\.name), ["conv1", "pool1", "conv2", "pool2", "conv3", "flatten", "dense1", "output"])
        XCTAssertEqual(folded.layers[0].foldedBatchNorms, ["bn1"])
        XCTAssertNotNil(folded.layers[0].postShift)
        let x = images.batch(0..<256).x
        let expected = model.forward(x), got = folded.forward(x)
        XCTAssertEqual(got.shape, [256, 10])
        XCTAssertLessThanOrEqual(got.maxAbsDifference(expected), 1e-5)
        XCTAssertEqual(got.argmaxRows(), expected.argmaxRows())
    }

    /// Every fold rule: after a linear conv (into the weights), after sigmoid and tanh (post terms), a batch norm
    /// after a batch norm (composed), after a pool and at the input (kept as an affine layer), after a dense.
    func testEveryFoldRuleEqualsUnfolded() throws {
        let mnist = try DatasetCatalog.load("mnist")
        let x = mnist.test.imageSet().slice(0..<64).batch(0..<64).x
        let model = try Model(name: "variant", inputShape: [28, 28, 1], layers: [
            .batchnorm(name: "bn0", momentum: 0.9, epsilon: 0.001),
            .conv2d(name: "c1", filters: 6, kernel: 3, stride: 2, padding: .valid, activation: .linear, useBias: false),
            .batchnorm(name: "bn1", momentum: 0.9, epsilon: 0.001),
            .conv2d(name: "c2", filters: 5, kernel: 3, stride: 1, padding: .same, activation: .sigmoid, useBias: true),
            .dropout(name: "d0", rate: 0.3),
            .batchnorm(name: "bn2", momentum: 0.9, epsilon: 0.01),
            .batchnorm(name: "bn3", momentum: 0.9, epsilon: 0.001),
            .maxpool(name: "p1", pool: 2),
            .batchnorm(name: "bn4", momentum: 0.9, epsilon: 0.001),
            .conv2d(name: "c3", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .tanh, useBias: true),
            .batchnorm(name: "bn5", momentum: 0.9, epsilon: 0.001),
            .flatten(name: "f"),
            .dense(name: "d1", units: 12, activation: .relu, useBias: true),
            .batchnorm(name: "bn6", momentum: 0.9, epsilon: 0.001),
            .dense(name: "out", units: 10, activation: .softmax, useBias: true),
        ], seed: 11)
        randomiseBatchNorms(model.layers, seed: 5)
        let folded = FoldedModel(model)
        XCTAssertEqual(folded.layers.map(\.name), ["bn0", "c1", "c2", "p1", "bn4", "c3", "f", "d1", "out"])
        XCTAssertEqual(folded.layers[1].foldedBatchNorms, ["bn1"])
        XCTAssertNil(folded.layers[1].postScale)       // linear: folded into the weights entirely
        XCTAssertEqual(folded.layers[2].foldedBatchNorms, ["bn2", "bn3"])
        XCTAssertEqual(folded.layers[4].kind, .affine)
        let expected = model.forward(x), got = folded.forward(x)
        XCTAssertLessThanOrEqual(got.maxAbsDifference(expected), 1e-5)
        // The layer before the softmax on its own, where the probabilities' squashing cannot hide an error.
        var foldedHidden: Tensor?
        _ = folded.forward(x) { i, h in if i == 7 { foldedHidden = h } }
        let unfoldedHidden = model.layers[0...13].reduce(x) { $1.forward($0, training: false) }
        let scale = max(1, unfoldedHidden.scalars.map(abs).max()!)
        XCTAssertLessThanOrEqual(foldedHidden!.maxAbsDifference(unfoldedHidden) / scale, 1e-5)
    }
}
