import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// A Keras recording (scripts/make_keras_fixture.py, make_keras_residual_fixture.py): a model's weights, its outputs
/// on one batch in training and inference, the loss, every gradient and three Adam steps.
struct KerasFixture: Decodable {
    struct Array: Decodable { let shape: [Int]; let data: [Float] }
    struct Adam: Decodable { let learning_rate: Double; let steps: Int; let losses: [Double]; let weights_after: [String: Array] }
    let count_params: Int?
    /// Keras' weight order, when the fixture records it.
    let names: [String]?
    let input: Array; let labels: [Int]; let weights: [String: Array]
    let train_output: Array; let inference_output: Array; let loss: Double
    let gradients: [String: Array]; let adam: Adam
}

/// The checks every Keras fixture gets, within 1e-4 (1e-5 for losses).
class KerasFixtureTestCase: XCTestCase {
    /// Reads `Fixtures/<file>`, builds `layers` on a [6, 6, 2] input and gives it the recorded weights.
    func load(_ file: String, _ layers: [LayerSpec]) throws -> (KerasFixture, Model) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(file)")
        let fixture = try JSONDecoder().decode(KerasFixture.self, from: Data(contentsOf: url))
        let model = try Model(name: "fixture", inputShape: [6, 6, 2], layers: layers, seed: 0)
        if let names = fixture.names { XCTAssertEqual(qualifiedNames(model), names, "mnistbook's parameter order is the fixture's") }
        model.setWeights(qualifiedNames(model).map { tensor(fixture.weights[$0]!) })
        return (fixture, model)
    }

    /// mnistbook's parameter names in order, `layer/parameter` as Keras names weights.
    func qualifiedNames(_ model: Model) -> [String] {
        model.layers.flatMap { layer in layer.parameters.map { "\(layer.name)/\($0.name)" } }
    }

    func tensor(_ a: KerasFixture.Array) -> Tensor { Tensor(shape: a.shape, scalars: a.data) }

    func assertClose(_ t: Tensor, _ expected: KerasFixture.Array, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(t.shape, expected.shape, what, file: file, line: line)
        XCTAssertLessThan(t.maxAbsDifference(tensor(expected)), 1e-4, what, file: file, line: line)
    }

    func checkForward(_ f: KerasFixture, _ model: Model) {
        assertClose(model.forward(tensor(f.input), training: false), f.inference_output, "inference output")
        assertClose(model.forward(tensor(f.input), training: true), f.train_output, "training output")
    }

    /// Loss, every parameter's gradient, and d loss / d input (the same pass by hand, keeping the first layer's input gradient).
    func checkLossAndGradients(_ f: KerasFixture, _ model: Model) throws {
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

    /// Three Adam steps: the loss before each, then every weight and moving statistic after.
    func checkAdamSteps(_ f: KerasFixture, _ model: Model) {
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
