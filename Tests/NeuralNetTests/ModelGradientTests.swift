import Tensor
import XCTest
@testable import NeuralNet

/// The whole network's gradients (parameters and input) against finite differences of the loss.
final class ModelGradientTests: XCTestCase {
    /// The loss of a network whose last layer is a softmax Dense, in training mode.
    static func loss(_ model: Model, _ x: Tensor, _ labels: [Int]) -> Double {
        let h = model.layers.dropLast().reduce(x) { $1.forward($0, training: true) }
        return SoftmaxCrossEntropy.evaluate(logits: (model.layers.last as! Dense).logits(h, training: true), labels: labels).loss
    }

    /// d loss / d x, by running the layers by hand (the first layer must compute its input gradient).
    static func inputGradient(_ model: Model, _ x: Tensor, _ labels: [Int]) -> Tensor {
        let h = model.layers.dropLast().reduce(x) { $1.forward($0, training: true) }
        let head = model.layers.last as! Dense
        let dz = SoftmaxCrossEntropy.evaluate(logits: head.logits(h, training: true), labels: labels).gradient
        return model.layers.dropLast().reversed().reduce(head.backward(logitsGradient: dz)) { $1.backward($0) }
    }

    func testSmallNetworkGradients() throws {
        let model = try Model(name: "small", inputShape: [7, 7, 2], layers: everyLayerSpecs(dropout: 0), seed: 3)
        (model.layers[0] as! Conv2D).computesInputGradient = true
        let x = randomTensor([4, 7, 7, 2], seed: 5)
        let labels = [0, 2, 1, 2]

        func loss(_ x: Tensor) -> Double { Self.loss(model, x, labels) }
        assertGradient(Self.inputGradient(model, x, labels), of: loss, at: x, "input")

        for p in model.trainableParameters {
            _ = model.computeGradients(x, labels: labels)
            let analytic = try XCTUnwrap(p.gradient)
            let saved = p.value
            assertGradient(analytic, of: { w in p.value = w; defer { p.value = saved }; return loss(x) }, at: saved, p.name)
        }
    }

    /// conv(ReLU) → batch norm, as in the reference CNN: the batch norm applies the ReLU's derivative in its own sweep.
    static let reluBeforeBatchNorm: [LayerSpec] = [
        .conv2d(name: "conv1", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
        .batchnorm(name: "bn1", momentum: 0.99, epsilon: 0.001),
        .maxpool(name: "pool1", pool: 2),
        .conv2d(name: "conv2", filters: 3, kernel: 3, stride: 1, padding: .valid, activation: .relu, useBias: true),
        .batchnorm(name: "bn2", momentum: 0.99, epsilon: 0.001),
        .flatten(name: "flatten"),
        .dense(name: "output", units: 3, activation: .softmax, useBias: true),
    ]

    func testReLUConvolutionBeforeBatchNormGradients() throws {
        let model = try Model(name: "relu-bn", inputShape: [6, 6, 2], layers: Self.reluBeforeBatchNorm, seed: 4)
        XCTAssertTrue((model.layers[0] as! Conv2D).reluDifferentiatedAfter && (model.layers[1] as! BatchNorm).differentiatesReLUBefore)
        XCTAssertTrue((model.layers[3] as! Conv2D).reluDifferentiatedAfter && (model.layers[4] as! BatchNorm).differentiatesReLUBefore)
        (model.layers[0] as! Conv2D).computesInputGradient = true
        let x = randomTensor([5, 6, 6, 2], seed: 6)
        let labels = [0, 2, 1, 2, 1]
        func loss(_ x: Tensor) -> Double { Self.loss(model, x, labels) }
        // A small step: fewer pre-activations cross the ReLUs' kink between the two evaluations.
        assertGradient(Self.inputGradient(model, x, labels), of: loss, at: x, h: 1e-3, "input")
        for layer in model.layers {
            for p in layer.parameters where p.trainable {
                _ = model.computeGradients(x, labels: labels)
                let analytic = try XCTUnwrap(p.gradient)
                let saved = p.value
                assertGradient(analytic, of: { w in p.value = w; defer { p.value = saved }; return loss(x) }, at: saved, h: 1e-3,
                               "\(layer.name).\(p.name)")
            }
        }
    }

    /// A first layer with one input channel and 16 filters runs on mnistbook's own kernels (CKernels/conv1.c) forward and
    /// for its weight gradients: conv(ReLU) → batch norm as in the reference CNN (the batch norm's sweep differentiates the
    /// ReLU), and a tanh convolution with a 5 × 5 'valid' kernel and no bias (its own activation pass).
    func testOneInputChannelFirstLayerGradients() throws {
        let first: [[LayerSpec]] = [
            [.conv2d(name: "conv1", filters: 16, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
             .batchnorm(name: "bn1", momentum: 0.99, epsilon: 0.001)],
            [.conv2d(name: "conv1", filters: 16, kernel: 5, stride: 1, padding: .valid, activation: .tanh, useBias: false)],
        ]
        for (index, layers) in first.enumerated() {
            let specs = layers + [
                .maxpool(name: "pool1", pool: 2),
                .conv2d(name: "conv2", filters: 3, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
                .flatten(name: "flatten"),
                .dense(name: "output", units: 3, activation: .softmax, useBias: true),
            ]
            let model = try Model(name: "one-channel", inputShape: [8, 8, 1], layers: specs, seed: 9)
            let conv1 = model.layers[0] as! Conv2D
            XCTAssertTrue(conv1.convolution.runsOwnKernels && !conv1.computesInputGradient)
            XCTAssertEqual(conv1.reluDifferentiatedAfter, index == 0)
            let x = randomTensor([5, 8, 8, 1], seed: 10)
            let labels = [0, 2, 1, 2, 1]
            func loss(_ x: Tensor) -> Double { Self.loss(model, x, labels) }
            // A step of 1e-4: with 16 ReLU channels over 320 pixels, a step of 1e-3 moves some pre-activations across
            // the kink, whose error the batch norm's 1/σ then magnifies.
            // conv1's parameters only: the other layers' run on oneDNN and are checked above.
            for p in conv1.parameters {
                _ = model.computeGradients(x, labels: labels)
                let analytic = try XCTUnwrap(p.gradient)
                let saved = p.value
                assertGradient(analytic, of: { w in p.value = w; defer { p.value = saved }; return loss(x) }, at: saved, h: 1e-4,
                               "\(index): conv1.\(p.name)")
            }
            // With the input gradient asked for (a saliency map), oneDNN's backward pass runs instead: the same gradients.
            _ = model.computeGradients(x, labels: labels)
            let own = conv1.parameters.map { $0.gradient! }
            conv1.computesInputGradient = true
            _ = model.computeGradients(x, labels: labels)
            for (a, p) in zip(own, conv1.parameters) {
                let scale = max(1, p.gradient!.scalars.map { abs($0) }.max()!)
                XCTAssertLessThan(a.maxAbsDifference(p.gradient!) / scale, 1e-5, "\(index): \(p.name) own against oneDNN")
            }
            assertGradient(Self.inputGradient(model, x, labels), of: loss, at: x, h: 1e-3, "\(index): input")
        }
    }

    /// The fused ReLU derivative gives the gradients of the separate passes (within float rounding).
    func testFusedReLUDerivativeEqualsSeparatePass() throws {
        let fused = try Model(name: "fused", inputShape: [6, 6, 2], layers: Self.reluBeforeBatchNorm, seed: 4)
        let separate = try Model(name: "separate", inputShape: [6, 6, 2], layers: Self.reluBeforeBatchNorm, seed: 4)
        for layer in separate.layers {
            (layer as? Conv2D)?.reluDifferentiatedAfter = false
            (layer as? BatchNorm)?.differentiatesReLUBefore = false
        }
        let x = randomTensor([5, 6, 6, 2], seed: 8)
        let labels = [1, 0, 2, 2, 0]
        let a = fused.computeGradients(x, labels: labels), b = separate.computeGradients(x, labels: labels)
        XCTAssertEqual(a.loss, b.loss, accuracy: 1e-9)
        var zeros = 0
        for (p, q) in zip(fused.trainableParameters, separate.trainableParameters) {
            let g = try XCTUnwrap(p.gradient), h = try XCTUnwrap(q.gradient)
            XCTAssertLessThan(g.maxAbsDifference(h), 1e-5, p.name)
            zeros += g.scalars.filter { $0 == 0 }.count
        }
        XCTAssertLessThan(zeros, 8, "the check must not pass on all-zero gradients")
    }
}
