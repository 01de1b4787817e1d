import Tensor
import XCTest
@testable import NeuralNet

/// The whole network's gradients (parameters and input) against finite differences of the loss.
final class ModelGradientTests: XCTestCase {
    func testSmallNetworkGradients() throws {
        let model = try Model(name: "small", inputShape: [7, 7, 2], layers: everyLayerSpecs(dropout: 0), seed: 3)
        (model.layers[0] as! Conv2D).computesInputGradient = true
        let x = randomTensor([4, 7, 7, 2], seed: 5)
        let labels = [0, 2, 1, 2]

        func loss(_ x: Tensor) -> Double {
            let h = model.layers.dropLast().reduce(x) { $1.forward($0, training: true) }
            return SoftmaxCrossEntropy.evaluate(logits: (model.layers.last as! Dense).logits(h, training: true), labels: labels).loss
        }
        // Input gradient: run the layers by hand to get d loss / d x.
        let h = model.layers.dropLast().reduce(x) { $1.forward($0, training: true) }
        let head = model.layers.last as! Dense
        let dz = SoftmaxCrossEntropy.evaluate(logits: head.logits(h, training: true), labels: labels).gradient
        let dx = model.layers.dropLast().reversed().reduce(head.backward(logitsGradient: dz)) { $1.backward($0) }
        assertGradient(dx, of: loss, at: x, "input")

        for p in model.trainableParameters {
            _ = model.computeGradients(x, labels: labels)
            let analytic = try XCTUnwrap(p.gradient)
            let saved = p.value
            assertGradient(analytic, of: { w in p.value = w; defer { p.value = saved }; return loss(x) }, at: saved, p.name)
        }
    }
}
