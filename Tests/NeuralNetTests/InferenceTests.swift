import Tensor
import XCTest
@testable import NeuralNet

/// The folded inference network against the layers' own forward passes, and one image against a batch.
final class InferenceTests: XCTestCase {
    func testFoldedReferenceCNNEqualsTheLayersWithin1e5() throws {
        let model = try Model(name: "ref", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 7)
        randomiseBatchNorms(model.layers, seed: 11)
        let x = randomTensor([16, 28, 28, 1], seed: 3)
        // Three batch norms folded, dropout and flatten gone: 3 convolutions, 2 pools, 2 dense.
        XCTAssertEqual(model.inferenceSteps()?.count, 7)
        let folded = model.forward(x), layers = model.forwardLayerByLayer(x, training: false)
        XCTAssertEqual(folded.shape, [16, 10])
        XCTAssertLessThanOrEqual(folded.maxAbsDifference(layers), 1e-5)

        // New weights make a new folded network, not a stale one.
        randomiseBatchNorms(model.layers, seed: 12)
        let refolded = model.forward(x)
        XCTAssertGreaterThan(refolded.maxAbsDifference(folded), 1e-3)
        XCTAssertLessThanOrEqual(refolded.maxAbsDifference(model.forwardLayerByLayer(x, training: false)), 1e-5)
    }

    /// Every kind of step: a batch norm at the input (a separate affine step), after a linear convolution (in its
    /// weights), after tanh (scale and shift post-ops), after a linear dense layer; dropout and flatten gone.
    func testEveryInferenceStepEqualsTheLayersWithin1e5() throws {
        let specs: [LayerSpec] = [
            .batchnorm(name: "bn0", momentum: 0.99, epsilon: 0.001),
            .conv2d(name: "conv1", filters: 5, kernel: 3, stride: 2, padding: .valid, activation: .linear, useBias: true),
            .batchnorm(name: "bn1", momentum: 0.99, epsilon: 0.001),
            .maxpool(name: "pool1", pool: 2),
            .conv2d(name: "conv2", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .tanh, useBias: false),
            .batchnorm(name: "bn2", momentum: 0.99, epsilon: 0.001),
            .flatten(name: "flatten"),
            .dense(name: "dense1", units: 6, activation: .linear, useBias: true),
            .batchnorm(name: "bn3", momentum: 0.99, epsilon: 0.001),
            .dropout(name: "dropout", rate: 0.3),
            .dense(name: "output", units: 3, activation: .softmax, useBias: true),
        ]
        let model = try Model(name: "small", inputShape: [13, 13, 2], layers: specs, seed: 5)
        randomiseBatchNorms(model.layers, seed: 9)
        let steps = try XCTUnwrap(model.inferenceSteps())
        XCTAssertEqual(steps.count, 6)   // scaleShift, conv1, pool1, conv2 (affine post-ops), dense1, output
        guard case .scaleShift = steps[0], case let .convolution(_, _, _, _, _, scale1, shift1) = steps[1],
              case let .convolution(_, _, _, _, _, scale2, shift2) = steps[3] else { return XCTFail("steps: \(steps)") }
        XCTAssertTrue(scale1 == nil && shift1 == nil, "bn1 follows a linear convolution: folded into its weights")
        XCTAssertTrue(scale2 != nil && shift2 != nil, "bn2 follows tanh: scale and shift post-ops")
        let x = randomTensor([5, 13, 13, 2], seed: 4)
        XCTAssertLessThanOrEqual(model.forward(x).maxAbsDifference(model.forwardLayerByLayer(x, training: false)), 1e-5)
    }

    /// The ONNX cross-check's variant (a convolution with softmax over channels, strides 2 with same padding, pool 3)
    /// gives the same answers in inference as layer by layer: the fused path once dropped that softmax.
    func testTheONNXVariantModelInfersLikeItsLayers() throws {
        let model = try Model(name: "variant", inputShape: [28, 28, 1], layers: onnxVariantLayers, seed: 9)
        randomiseBatchNorms(model.layers, seed: 3)
        let x = randomTensor([4, 28, 28, 1], seed: 8)
        XCTAssertLessThanOrEqual(model.forward(x).maxAbsDifference(model.forwardLayerByLayer(x, training: false)), 1e-5)
    }

    func testOneImageEqualsItsRowOfABatchBitForBit() throws {
        let model = try Model(name: "ref", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 8)
        randomiseBatchNorms(model.layers, seed: 2)
        let n = 37, x = randomTensor([n, 28, 28, 1], seed: 6)
        let batched = model.forward(x).scalars, pixels = x.scalars
        for i in 0..<n {
            let one = Tensor(shape: [1, 28, 28, 1], scalars: Array(pixels[i * 784..<(i + 1) * 784]))
            XCTAssertEqual(model.forward(one).scalars, Array(batched[i * 10..<(i + 1) * 10]), "image \(i)")
        }
    }

    /// predict and evaluate run a whole set from its bytes in one pass: the same bits as the float batches the layers
    /// path gathers, for a slice that starts inside its pixels and a count that is no multiple of the groups of 8.
    func testPredictFromBytesEqualsTheGatheredBatchesBitForBit() throws {
        let model = try Model(name: "ref", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 4)
        randomiseBatchNorms(model.layers, seed: 5)
        var rng = SeededGenerator(seed: 21)
        let total = 60
        let pixels = (0..<total * 784).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let labels = (0..<total).map { _ in Int.random(in: 0..<10, using: &rng) }
        var all = ImageSet(pixels: pixels, labels: labels, imageShape: [28, 28, 1])
        all.scale = 1.0 / 127.5
        all.shift = -1
        let set = all.slice(7..<58)      // 51 images
        let streamed = model.predict(set)
        XCTAssertEqual(streamed.shape, [51, 10])
        var batched: [Float] = []
        for start in stride(from: 0, to: set.count, by: 16) {
            batched += model.forward(set.batch(start..<min(start + 16, set.count)).x).scalars
        }
        XCTAssertEqual(streamed.scalars, batched)

        // evaluate: the loss summed batch by batch as before, so it keeps its bits; the accuracy from the same bits.
        var loss = 0.0, correct = 0
        for start in stride(from: 0, to: set.count, by: 20) {
            let batch = set.batch(start..<min(start + 20, set.count))
            let p = model.forward(batch.x)
            loss += SoftmaxCrossEntropy.loss(probabilities: p, labels: batch.labels) * Double(batch.labels.count)
            correct += zip(p.argmaxRows(), batch.labels).filter { $0 == $1 }.count
        }
        let evaluation = model.evaluate(set, batchSize: 20)
        XCTAssertEqual(evaluation.loss, loss / Double(set.count))
        XCTAssertEqual(evaluation.accuracy, Double(correct) / Double(set.count))
        XCTAssertEqual(model.evaluate(set.slice(0..<0)).loss.isNaN, true)
    }
}
