import Tensor
import XCTest
@testable import NeuralNet

/// One parameter, two steps of each optimizer, against Keras' update formulas written out by hand.
final class OptimizerTests: XCTestCase {
    func run(_ kind: OptimizerKind, lr: Float, gradients: [[Float]], start: [Float]) -> [Float] {
        let p = Parameter("w", Tensor(shape: [start.count], scalars: start))
        var optimizer = Optimizer(kind, learningRate: lr)
        for g in gradients {
            p.gradient = Tensor(shape: [g.count], scalars: g)
            optimizer.step([p])
        }
        return p.value.scalars
    }

    func testSGDWithMomentum() {
        // v1 = -lr g1; w1 = w0 + v1; v2 = μ v1 - lr g2; w2 = w1 + v2
        let w = run(.sgd(momentum: 0.9), lr: 0.1, gradients: [[1, -2], [0.5, 0.5]], start: [1, 1])
        let v1: [Float] = [-0.1, 0.2], v2: [Float] = [0.9 * -0.1 - 0.05, 0.9 * 0.2 - 0.05]
        XCTAssertEqual(w[0], 1 + v1[0] + v2[0], accuracy: 1e-6)
        XCTAssertEqual(w[1], 1 + v1[1] + v2[1], accuracy: 1e-6)
    }

    func testPlainSGD() {
        XCTAssertEqual(run(.sgd(momentum: 0), lr: 0.5, gradients: [[2]], start: [3]), [2])
    }

    func testRMSprop() {
        // a = ρ a + (1-ρ) g²; w -= lr g / (√a + ε), ρ = 0.9, ε = 1e-7
        let w = run(.rmsprop, lr: 0.01, gradients: [[2], [-1]], start: [0])
        let a1: Float = 0.1 * 4, a2: Float = 0.9 * a1 + 0.1 * 1
        let expected: Float = -0.01 * 2 / (a1.squareRoot() + 1e-7) + 0.01 * 1 / (a2.squareRoot() + 1e-7)
        XCTAssertEqual(w[0], expected, accuracy: 1e-6)
    }

    func testAdamFirstStepMovesByLearningRate() {
        // With bias correction the first Adam step is lr · sign(g), whatever the gradient's size (ε aside).
        let w = run(.adam, lr: 0.001, gradients: [[0.5, -50]], start: [0, 0])
        XCTAssertEqual(w[0], -0.001, accuracy: 1e-6)
        XCTAssertEqual(w[1], 0.001, accuracy: 1e-6)
    }
}
