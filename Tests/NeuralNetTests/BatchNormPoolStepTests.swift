import Tensor
import XCTest
@testable import NeuralNet

/// The training step that runs a batch norm and the 2×2 max pool after it as one (TrainingStep): which pairs the model
/// fuses, the fused pair's gradients against finite differences, and a fused model's step against its layers run apart.
final class BatchNormPoolStepTests: XCTestCase {
    func stepNames(_ model: Model) -> [[String]] { model.trainingSteps.map { $0.layers.map(\.name) } }

    /// The reference CNN's bn1 → pool1 and bn2 → pool2 run fused; bn3 (no pool after it) on its own.
    func testReferenceCNNFusesBothPools() throws {
        let model = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 42)
        XCTAssertEqual(stepNames(model), [["conv1"], ["bn1", "pool1"], ["conv2"], ["bn2", "pool2"], ["conv3"], ["bn3"],
                                          ["flatten"], ["dense1"], ["dropout"], ["output"]])
        XCTAssertEqual(model.trainingSteps.flatMap(\.layers).map(\.name), model.layers.map(\.name))
    }

    /// Pools the fused kernels do not fit stay layers of their own: 3×3, stride 1, an odd input.
    func testOtherPoolsStayApart() throws {
        for (input, pool, stride) in [([6, 6, 2], 3, 3), ([6, 6, 2], 2, 1), ([7, 6, 2], 2, 2)] {
            let specs: [LayerSpec] = [
                .batchnorm(name: "bn", momentum: 0.99, epsilon: 0.001),
                .maxpool(name: "pool", pool: pool, strides: stride),
                .flatten(name: "flatten"),
                .dense(name: "output", units: 3, activation: .softmax, useBias: true),
            ]
            let model = try Model(name: "apart", inputShape: input, layers: specs, seed: 1)
            XCTAssertEqual(stepNames(model), [["bn"], ["pool"], ["flatten"], ["output"]], "\(input) pool \(pool) stride \(stride)")
        }
    }

    /// d L / d x, γ, β of the fused pair, L = Σ pool(bn(x)) ⊙ r, against central differences; γ of both signs. Inputs 0.01
    /// apart (σ ≈ 1 per channel) against a step of 2e-3, so no window's winner changes; r in [0, 2), so the terms every
    /// input gets from the pooled gradient's sums (b · (x − μ) + d) are as large as the winners' own.
    func testFusedPairGradients() throws {
        var rng = SeededGenerator(seed: 3)
        let input = [6, 4, 5]
        let bn = try XCTUnwrap(try LayerSpec.batchnorm(name: "bn", momentum: 0.99, epsilon: 0.001)
            .makeLayer(inputShape: input, rng: &rng) as? BatchNorm)
        let pool = try XCTUnwrap(try LayerSpec.maxpool(name: "pool", pool: 2).makeLayer(inputShape: input, rng: &rng) as? MaxPool2D)
        let x = separatedTensor([3] + input, seed: 4).scaled(by: 0.2)
        let r = Tensor(shape: [3, 3, 2, 5], scalars: randomTensor([3, 3, 2, 5], seed: 5).scalars.map { $0 + 1 })
        bn.gamma.value = randomTensor([5], seed: 6)
        bn.beta.value = randomTensor([5], seed: 7)
        XCTAssertTrue(bn.gamma.value.scalars.contains { $0 < 0 } && bn.gamma.value.scalars.contains { $0 > 0 })
        func loss(_ x: Tensor) -> Double { projection(bn.forwardTraining(x, pooledBy: pool), r) }
        _ = bn.forwardTraining(x, pooledBy: pool)
        assertGradient(bn.backward(pooled: r, pool: pool), of: loss, at: x, h: 2e-3, "input")
        for p in [bn.gamma, bn.beta] {
            let saved = p.value
            assertGradient(try XCTUnwrap(p.gradient), of: { w in p.value = w; defer { p.value = saved }; return loss(x) },
                           at: saved, h: 2e-3, p.name)
        }
    }

    /// The reference CNN's conv(ReLU) → bn → pool twice on 8×12 images: the fused step's loss, gradients and moving
    /// statistics against the same model's layers run one by one (batch norm, then pool), within float32 summation error.
    func testFusedStepEqualsLayersApart() throws {
        let specs = Array(LayerSpec.referenceCNN.prefix(6)) + [
            .flatten(name: "flatten"), .dense(name: "output", units: 3, activation: .softmax, useBias: true),
        ]
        let fused = try Model(name: "fused", inputShape: [8, 12, 1], layers: specs, seed: 5)
        let apart = try Model(name: "apart", inputShape: [8, 12, 1], layers: specs, seed: 5)
        XCTAssertEqual(stepNames(fused).filter { $0.count == 2 }, [["bn1", "pool1"], ["bn2", "pool2"]])
        randomizeParameters(fused, seed: 9)
        apart.setWeights(fused.weights())
        let x = randomTensor([6, 8, 12, 1], seed: 10), labels = [0, 1, 2, 2, 1, 0]
        let loss = fused.computeGradients(x, labels: labels).loss
        // The same pass as computeGradients, each layer's own forward and backward.
        let h = apart.layers.dropLast().reduce(x) { $1.forward($0, training: true) }
        let head = try XCTUnwrap(apart.layers.last as? Dense)
        let (lossApart, _, dz) = SoftmaxCrossEntropy.evaluate(logits: head.logits(h, training: true), labels: labels)
        _ = apart.layers.dropLast().reversed().reduce(head.backward(logitsGradient: dz)) { $1.backward($0) }
        XCTAssertEqual(loss, lossApart, accuracy: 1e-6 * loss)
        for (p, q) in zip(fused.parameters, apart.parameters) {
            // Trainable: the gradients; the moving statistics: their values after one update.
            let a = p.trainable ? try XCTUnwrap(p.gradient, p.name) : p.value
            let b = q.trainable ? try XCTUnwrap(q.gradient, q.name) : q.value
            XCTAssertTrue(b.scalars.contains { $0 != 0 }, "\(p.name): all zero proves nothing")
            XCTAssertLessThan(a.maxAbsDifference(b) / b.scalars.map { abs($0) }.max()!, 1e-5, p.name)
        }
    }
}
