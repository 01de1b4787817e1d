import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// Reproduces Keras on a small residual network (a projection block, an identity block, global average pooling,
/// dense): outputs, loss, gradients and three Adam steps, recorded by scripts/make_keras_residual_fixture.py
/// (Fixtures/keras_residual.json), all within 1e-4.
final class ResidualKerasFixtureTests: KerasFixtureTestCase {
    func load() throws -> (KerasFixture, Model) {
        try load("keras_residual.json", [
            .residual(name: "b1", filters: 3, kernel: 3, strides: 2),
            .residual(name: "b2", filters: 3, kernel: 3, strides: 1),
            .globalAvgPool(name: "gap"),
            .dense(name: "out", units: 4, activation: .softmax, useBias: true),
        ])
    }

    func testParameterCountIsKeras() throws {
        let (f, model) = try load()
        XCTAssertEqual(model.parameterCount, f.count_params)
    }

    func testForwardInInferenceAndTraining() throws {
        let (f, model) = try load()
        checkForward(f, model)
    }

    func testLossAndGradients() throws {
        let (f, model) = try load()
        try checkLossAndGradients(f, model)
    }

    func testThreeAdamStepsAndMovingStatistics() throws {
        let (f, model) = try load()
        checkAdamSteps(f, model)
    }
}
