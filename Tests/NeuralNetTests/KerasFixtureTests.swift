import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// Reproduces Keras itself: outputs, loss, gradients and three Adam steps of a conv → batchnorm → pool → dense network,
/// recorded by scripts/make_keras_fixture.py with TensorFlow (Fixtures/keras_small.json).
final class KerasFixtureTests: XCTestCase {
    struct Array: Decodable { let shape: [Int]; let data: [Float] }
    struct Adam: Decodable { let learning_rate: Double; let steps: Int; let losses: [Double]; let weights_after: [String: Array] }
    struct Fixture: Decodable {
        let input: Array; let labels: [Int]; let weights: [String: Array]
        let train_output: Array; let inference_output: Array; let loss: Double
        let gradients: [String: Array]; let adam: Adam
    }

    /// Keras' weight order for this model, which is also mnistbook's parameter order.
    let names = ["conv/kernel", "conv/bias", "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance", "dense/kernel", "dense/bias"]

    func load() throws -> (Fixture, Model) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/keras_small.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let model = try Model(name: "fixture", inputShape: [6, 6, 2], layers: [
            .conv2d(name: "conv", filters: 3, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .batchnorm(name: "bn", momentum: 0.99, epsilon: 0.001),
            .maxpool(name: "pool", pool: 2),
            .flatten(name: "flatten"),
            .dense(name: "dense", units: 4, activation: .softmax, useBias: true),
        ], seed: 0)
        model.setWeights(names.map { tensor(fixture.weights[$0]!) })
        return (fixture, model)
    }

    func tensor(_ a: Array) -> Tensor { Tensor(shape: a.shape, scalars: a.data) }

    func assertClose(_ t: Tensor, _ expected: Array, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(t.shape, expected.shape, what, file: file, line: line)
        XCTAssertLessThan(t.maxAbsDifference(tensor(expected)), 1e-4, what, file: file, line: line)
    }

    func testForwardInInferenceAndTraining() throws {
        let (f, model) = try load()
        assertClose(model.forward(tensor(f.input), training: false), f.inference_output, "inference output")
        assertClose(model.forward(tensor(f.input), training: true), f.train_output, "training output")
    }

    func testLossAndGradients() throws {
        let (f, model) = try load()
        (model.layers[0] as! Conv2D).computesInputGradient = true
        let x = tensor(f.input)
        let (loss, _) = model.computeGradients(x, labels: f.labels)
        XCTAssertEqual(loss, f.loss, accuracy: 1e-5)
        for (name, p) in zip(names, model.parameters) where p.trainable {
            assertClose(try XCTUnwrap(p.gradient), f.gradients[name]!, "d loss / d \(name)")
        }
        // d loss / d input: the same pass by hand, keeping the first layer's input gradient.
        let h = model.layers.dropLast().reduce(x) { $1.forward($0, training: true) }
        let head = model.layers.last as! Dense
        let dz = SoftmaxCrossEntropy.evaluate(logits: head.logits(h, training: true), labels: f.labels).gradient
        let dx = model.layers.dropLast().reversed().reduce(head.backward(logitsGradient: dz)) { $1.backward($0) }
        assertClose(dx, f.gradients["input"]!, "d loss / d input")
    }

    func testThreeAdamStepsAndMovingStatistics() throws {
        let (f, model) = try load()
        var optimizer = Optimizer(.adam, learningRate: Float(f.adam.learning_rate))
        for step in 0..<f.adam.steps {
            let (loss, _) = model.computeGradients(tensor(f.input), labels: f.labels)
            XCTAssertEqual(loss, f.adam.losses[step], accuracy: 1e-5, "loss before step \(step + 1)")
            optimizer.step(model.trainableParameters)
        }
        for (name, p) in zip(names, model.parameters) {
            assertClose(p.value, f.adam.weights_after[name]!, "\(name) after \(f.adam.steps) Adam steps")
        }
    }
}
