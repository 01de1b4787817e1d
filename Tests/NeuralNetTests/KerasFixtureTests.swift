import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// Reproduces Keras itself: outputs, loss, gradients and three Adam steps of a conv → batchnorm → pool → dense network,
/// recorded by scripts/make_keras_fixture.py with TensorFlow (Fixtures/keras_small.json).
final class KerasFixtureTests: KerasFixtureTestCase {
    /// Keras' weight order for this model ("conv/kernel", "conv/bias", "bn/gamma", …) is mnistbook's parameter order.
    func load() throws -> (KerasFixture, Model) {
        try load("keras_small.json", [
            .conv2d(name: "conv", filters: 3, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .batchnorm(name: "bn", momentum: 0.99, epsilon: 0.001),
            .maxpool(name: "pool", pool: 2),
            .flatten(name: "flatten"),
            .dense(name: "dense", units: 4, activation: .softmax, useBias: true),
        ])
    }

    func testForwardInInferenceAndTraining() throws {
        let (f, model) = try load()
        checkForward(f, model)
    }

    func testLossAndGradients() throws {
        let (f, model) = try load()
        (model.layers[0] as! Conv2D).computesInputGradient = true
        try checkLossAndGradients(f, model)
    }

    func testThreeAdamStepsAndMovingStatistics() throws {
        let (f, model) = try load()
        checkAdamSteps(f, model)
    }
}
