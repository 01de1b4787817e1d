import Tensor
import XCTest
@testable import NeuralNet

/// Every layer's backward pass against central finite differences, in training mode.
final class LayerGradientTests: XCTestCase {
    func testConv2DSamePaddingLinear() throws {
        try checkLayer(.conv2d(name: "conv", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .linear, useBias: true),
                       input: [5, 5, 2])
    }

    func testConv2DValidPaddingTanh() throws {
        try checkLayer(.conv2d(name: "conv", filters: 3, kernel: 3, stride: 1, padding: .valid, activation: .tanh, useBias: true),
                       input: [6, 5, 2])
    }

    func testConv2DStrideTwoEvenKernelSigmoidNoBias() throws {
        // An even kernel with "same" padding pads bottom/right more, as TensorFlow does.
        try checkLayer(.conv2d(name: "conv", filters: 2, kernel: 2, stride: 2, padding: .same, activation: .sigmoid, useBias: false),
                       input: [5, 5, 3])
    }

    func testConv2DReLU() throws {
        try checkLayer(.conv2d(name: "conv", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
                       input: [4, 4, 3])
    }

    func testBatchNormOnImages() throws {
        try checkLayer(.batchnorm(name: "bn", momentum: 0.99, epsilon: 0.001), input: [3, 3, 4], batch: 4)
    }

    func testBatchNormOnFeatures() throws {
        try checkLayer(.batchnorm(name: "bn", momentum: 0.9, epsilon: 0.001), input: [5], batch: 6)
    }

    func testMaxPool() throws {
        try checkLayer(.maxpool(name: "pool", pool: 2), input: [4, 6, 3], x: separatedTensor([3, 4, 6, 3], seed: 1))
    }

    func testMaxPoolOddInputDropsLastRow() throws {
        try checkLayer(.maxpool(name: "pool", pool: 2), input: [5, 5, 2], x: separatedTensor([3, 5, 5, 2], seed: 2))
    }

    func testFlatten() throws {
        try checkLayer(.flatten(name: "flatten"), input: [2, 3, 4])
    }

    func testDenseLinearReLUTanhSigmoidSoftmax() throws {
        for activation in [ActivationFunction.linear, .relu, .tanh, .sigmoid, .softmax] {
            try checkLayer(.dense(name: "dense-\(activation)", units: 5, activation: activation, useBias: true), input: [7])
        }
    }

    func testDenseWithoutBias() throws {
        try checkLayer(.dense(name: "dense", units: 3, activation: .linear, useBias: false), input: [4])
    }

    func testDropoutMasksAndScalesInTrainingOnly() throws {
        var rng = SeededGenerator(seed: 1)
        let layer = try LayerSpec.dropout(name: "dropout", rate: 0.25).makeLayer(inputShape: [1000], rng: &rng)
        let x = Tensor(repeating: 2, shape: [4, 1000])
        let y = layer.forward(x, training: true)
        let kept = y.scalars.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 2 / 0.75) < 1e-6 }, "kept units are scaled by 1 / (1 - rate)")
        XCTAssertEqual(Double(kept.count) / 4000, 0.75, accuracy: 0.03)
        // The gradient goes through the same mask: d(Σ y r)/dx = mask · r.
        let r = randomTensor([4, 1000], seed: 3)
        let dx = layer.backward(r)
        for i in 0..<x.count { XCTAssertEqual(dx[flat: i], r[flat: i] * y[flat: i] / 2, accuracy: 1e-6) }
        XCTAssertEqual(layer.forward(x, training: false).scalars, x.scalars, "inference passes through")
    }

    func testSoftmaxCrossEntropyGradient() {
        let logits = randomTensor([3, 4], seed: 11).scaled(by: 3)
        let labels = [2, 0, 3]
        let (loss, p, g) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels)
        assertGradient(g, of: { SoftmaxCrossEntropy.evaluate(logits: $0, labels: labels).loss }, at: logits, h: 1e-2, tolerance: 1e-2, "loss")
        XCTAssertEqual(loss, SoftmaxCrossEntropy.loss(probabilities: p, labels: labels), accuracy: 1e-5)
    }

    func testSoftmaxCrossEntropyIsStableForHugeLogits() {
        let logits = Tensor(shape: [2, 3], scalars: [1000, -1000, 0, 50, 3000, -3000])
        let (loss, p, g) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: [0, 1])
        XCTAssertEqual(loss, 0, accuracy: 1e-6)
        XCTAssertTrue(p.isFinite && g.isFinite)
    }
}
