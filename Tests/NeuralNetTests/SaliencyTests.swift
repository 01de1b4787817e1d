import Tensor
import XCTest
@testable import NeuralNet

/// Saliency (d class score / d pixels at inference) against finite differences, and the inference pass it traces.
final class SaliencyTests: XCTestCase {
    /// Every layer kind, with batch norm's moving statistics and dropout at values where training mode would differ.
    func makeModel() throws -> Model {
        let model = try Model(name: "small", inputShape: [7, 7, 2], layers: everyLayerSpecs(dropout: 0.5), seed: 3)
        randomizeParameters(model, seed: 20)
        return model
    }

    /// The pre-softmax score of class c for each image, at inference.
    func scores(_ model: Model, _ x: Tensor, _ classes: [Int]) -> Double {
        let h = model.layers.dropLast().reduce(x) { $1.forward($0, training: false) }
        let logits = (model.layers.last as! Dense).logits(h, training: false)
        return classes.enumerated().reduce(0.0) { $0 + Double(logits[flat: $1.offset * model.classes + $1.element]) }
    }

    func testSaliencyMatchesFiniteDifferencesOfTheClassScore() throws {
        let model = try makeModel()
        let x = randomTensor([2, 7, 7, 2], seed: 5)
        let (predicted, gradient) = model.saliency(x)
        XCTAssertEqual(predicted, model.forwardLayerByLayer(x, training: false).argmaxRows())
        XCTAssertEqual(gradient.shape, [2, 7, 7, 2])
        XCTAssertGreaterThan(gradient.scalars.map(abs).max() ?? 0, 1e-3, "a zero gradient would pass any check")
        assertGradient(gradient, of: { scores(model, $0, predicted) }, at: x, "saliency of the predicted class")

        let other = predicted.map { ($0 + 1) % 3 }
        let (_, otherGradient) = model.saliency(x, classes: other)
        assertGradient(otherGradient, of: { scores(model, $0, other) }, at: x, "saliency of a chosen class")
    }

    /// Through residual blocks (a projection and an identity shortcut) and global average pooling.
    func testSaliencyThroughResidualBlocksMatchesFiniteDifferences() throws {
        let model = try Model(name: "residual", inputShape: [7, 7, 2], layers: [
            .residual(name: "down", filters: 3, kernel: 3, strides: 2),
            .residual(name: "same", filters: 3, kernel: 3, strides: 1),
            .globalAvgPool(name: "gap"),
            .dense(name: "output", units: 3, activation: .softmax, useBias: true),
        ], seed: 4)
        randomizeParameters(model, seed: 40)
        let x = randomTensor([2, 7, 7, 2], seed: 6)
        let before = model.weights()
        let (predicted, gradient) = model.saliency(x)
        XCTAssertEqual(gradient.shape, [2, 7, 7, 2])
        XCTAssertGreaterThan(gradient.scalars.map(abs).max() ?? 0, 1e-3, "a zero gradient would pass any check")
        assertGradient(gradient, of: { scores(model, $0, predicted) }, at: x, h: 1e-3, "saliency through residual blocks")
        XCTAssertEqual(zip(before, model.weights()).map { $0.maxAbsDifference($1) }.max(), 0, "moving statistics or weights changed")
    }

    func testSaliencyLeavesTheModelAsItWas() throws {
        let model = try makeModel()
        let before = model.weights()
        let x = randomTensor([3, 7, 7, 2], seed: 9)
        let probabilities = model.forward(x)
        _ = model.saliency(x)
        XCTAssertEqual(zip(before, model.weights()).map { $0.maxAbsDifference($1) }.max(), 0, "moving statistics or weights changed")
        XCTAssertEqual(model.forward(x).maxAbsDifference(probabilities), 0)
    }

    func testLayerOutputsEndWithThePrediction() throws {
        let model = try makeModel()
        let x = randomTensor([2, 7, 7, 2], seed: 11)
        let outputs = model.layerOutputs(x)
        XCTAssertEqual(outputs.map(\.shape), model.layers.map { [2] + $0.outputShape })
        XCTAssertEqual(outputs.last!.maxAbsDifference(model.forwardLayerByLayer(x, training: false)), 0)
    }

    func testInitialWeightsSurviveTraining() throws {
        let model = try makeModel()   // randomised after init: the initial kernel is the seed's, not the current one
        let fresh = try Model(name: "small", inputShape: [7, 7, 2], layers: model.specs, seed: 3)
        let initial = try XCTUnwrap(model.initialValue(layer: "conv1", parameter: "kernel"))
        XCTAssertEqual(initial.shape, [3, 3, 2, 3])
        XCTAssertEqual(initial.maxAbsDifference(try XCTUnwrap(fresh.value(layer: "conv1", parameter: "kernel"))), 0)
        XCTAssertGreaterThan(initial.maxAbsDifference(try XCTUnwrap(model.value(layer: "conv1", parameter: "kernel"))), 0)
        XCTAssertNil(model.initialValue(layer: "conv9", parameter: "kernel"))
    }
}
