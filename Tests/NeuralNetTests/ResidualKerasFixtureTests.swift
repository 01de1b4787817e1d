import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// Reproduces Keras on a small residual network (a projection block, an identity block, global average pooling,
/// dense): outputs, loss, gradients and three Adam steps, recorded by scripts/make_keras_residual_fixture.py
/// (Fixtures/keras_residual.json), all within 1e-4.
final class ResidualKerasFixtureTests: XCTestCase {
    typealias Array = KerasFixtureTests.Array
    struct Fixture: Decodable {
        let count_params: Int; let input: Array; let labels: [Int]; let names: [String]; let weights: [String: Array]
        let train_output: Array; let inference_output: Array; let loss: Double
        let gradients: [String: Array]; let adam: KerasFixtureTests.Adam
    }

    func load() throws -> (Fixture, Model) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/keras_residual.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let model = try Model(name: "fixture", inputShape: [6, 6, 2], layers: [
            .residual(name: "b1", filters: 3, kernel: 3, strides: 2),
            .residual(name: "b2", filters: 3, kernel: 3, strides: 1),
            .globalAvgPool(name: "gap"),
            .dense(name: "out", units: 4, activation: .softmax, useBias: true),
        ], seed: 0)
        XCTAssertEqual(qualifiedNames(model), fixture.names, "mnistbook's parameter order is the fixture's")
        model.setWeights(fixture.names.map { tensor(fixture.weights[$0]!) })
        return (fixture, model)
    }

    func qualifiedNames(_ model: Model) -> [String] {
        model.layers.flatMap { layer in layer.parameters.map { "\(layer.name)/\($0.name)" } }
    }

    func tensor(_ a: Array) -> Tensor { Tensor(shape: a.shape, scalars: a.data) }

    func assertClose(_ t: Tensor, _ expected: Array, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(t.shape, expected.shape, what, file: file, line: line)
        XCTAssertLessThan(t.maxAbsDifference(tensor(expected)), 1e-4, what, file: file, line: line)
    }

    func testParameterCountIsKeras() throws {
        let (f, model) = try load()
        XCTAssertEqual(model.parameterCount, f.count_params)
    }

    func testForwardInInferenceAndTraining() throws {
        let (f, model) = try load()
        assertClose(model.forward(tensor(f.input), training: false), f.inference_output, "inference output")
        assertClose(model.forward(tensor(f.input), training: true), f.train_output, "training output")
    }

    func testLossAndGradients() throws {
        let (f, model) = try load()
        let x = tensor(f.input)
        let (loss, _) = model.computeGradients(x, labels: f.labels)
        XCTAssertEqual(loss, f.loss, accuracy: 1e-5)
        for (name, p) in zip(qualifiedNames(model), model.parameters) where p.trainable {
            assertClose(try XCTUnwrap(p.gradient), f.gradients[name]!, "d loss / d \(name)")
        }
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
        for (name, p) in zip(qualifiedNames(model), model.parameters) {
            assertClose(p.value, f.adam.weights_after[name]!, "\(name) after \(f.adam.steps) Adam steps")
        }
    }
}
