// The report's digit pad runs the model in JavaScript: headless Chromium must give the engine's answers.
// 200 MNIST test digits go through digit-model.js with the embedded int8 weights and through the engine holding
// exactly those dequantised weights: the same argmax for all 200, probabilities within 1e-3.
import Datasets
import Foundation
import Inference
import NeuralNet
import Report
import Tensor
import XCTest

final class PadAgreementTests: XCTestCase {
    /// Every layer kind the pad runs: "same" and "valid" convolutions, a stride, batch norm with moved statistics,
    /// pooling, dropout, a hidden dense layer and the softmax head; trained for one epoch so the weights are real.
    static func trainedModel() throws -> (Model, ModelMetadata, Dataset) {
        let mnist = try DatasetCatalog.load("mnist")
        let n = 3000
        let train = mnist.train.imageSet(first: n)
        let model = try Model(name: "Pad_CNN", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "conv1", filters: 8, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .batchnorm(name: "bn1", momentum: 0.9, epsilon: 0.001),
            .maxpool(name: "pool1", pool: 2),
            .conv2d(name: "conv2", filters: 16, kernel: 3, stride: 2, padding: .valid, activation: .relu, useBias: true),
            .flatten(name: "flatten"),
            .dense(name: "dense1", units: 32, activation: .relu, useBias: true),
            .dropout(name: "dropout", rate: 0.25),
            .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: 3)
        var configuration = TrainingConfiguration()
        configuration.epochs = 1
        configuration.batchSize = 32
        configuration.removeCallbacks()
        _ = try fit(model, training: train, validation: nil, configuration: configuration)
        let metadata = ModelMetadata(dataset: "mnist", classNames: mnist.classNames, inputShape: [28, 28, 1], seed: 3)
        return (model, metadata, mnist)
    }

    func testChromiumRunsThePadModelLikeTheEngine() throws {
        let chromium = try headlessChromium()
        let (trained, metadata, mnist) = try Self.trainedModel()
        let pad = try PadModel(trained, metadata: metadata)
        let count = 200
        let digits = (0..<count).map { Array(mnist.test.image($0)) }
        let batch = ImageBatch.gather(digits.flatMap { $0 }, imageShape: [28, 28, 1], indices: 0..<count, scale: 1.0 / 255, shift: 0)
        let engine = pad.model.forward(batch).scalars   // [200, 10]

        let page = """
            <!doctype html><html><head><meta charset="utf-8"></head><body><pre id="out">not run</pre>
            <script>\(DigitPad.modelScript)</script>
            <script>
            var digits = \(digits.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",\n").wrappedInBrackets);
            try {
              var model = MnistbookModel.create(\(pad.json));
              document.getElementById("out").textContent = JSON.stringify(digits.map(function (d) { return model.predict(d); }));
            } catch (e) { document.getElementById("out").textContent = "error: " + e.message; }
            </script></body></html>
            """
        let text = try textLeftByPage(page, chromium: chromium)
        let page_ = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Double]], String(text.prefix(300)))
        XCTAssertEqual(page_.count, count)
        var worst = 0.0, disagreements = 0
        for i in 0..<min(count, page_.count) {
            let e = (0..<10).map { Double(engine[i * 10 + $0]) }, p = page_[i]
            XCTAssertEqual(p.count, 10)
            worst = max(worst, zip(e, p).map { abs($0 - $1) }.max() ?? 1)
            if e.indices.max(by: { e[$0] < e[$1] }) != p.indices.max(by: { p[$0] < p[$1] }) { disagreements += 1 }
        }
        print("PadAgreementTests: \(count) digits, \(disagreements) argmax disagreements, max |Δp| = \(worst), \(pad.weightBytes) weight bytes")
        XCTAssertEqual(disagreements, 0)
        XCTAssertLessThanOrEqual(worst, 1e-3)
    }
}

private extension String {
    var wrappedInBrackets: String { "[" + self + "]" }
}
