import Datasets
import XCTest
@testable import NeuralNet
@testable import Tensor

/// One training step of the reference CNN on real MNIST images at 1, 2 and 3 threads: the loss, every gradient and every
/// batch norm's update of its moving statistics agree within the rounding of different summation orders. Engine III's
/// batch norm and pooling split their rows over the threads; a lost or doubled partial sum, a ReLU mask on the wrong
/// rows or statistics from one thread's rows would be far outside 1e-4 (docs/BENCHMARKS.md, "One epoch at 1 and 2 threads").
final class TrainingStepThreadsTests: XCTestCase {
    static let mnist = Result { try DatasetCatalog.load("mnist") }

    /// The loss and, by "layer.parameter", each trainable parameter's gradient and each moving statistic's change.
    func step(batch: Int, threads: Int, weights: [Tensor]?) throws -> (loss: Double, tensors: [String: [Float]]) {
        let (x, labels) = try Self.mnist.get().train.imageSet().batch(1000..<(1000 + batch))
        return try Threads.withTeam(threads) {
            // Built inside: the convolutions' oneDNN primitives are created for this team.
            let model = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 42)
            if let weights { model.setWeights(weights) }
            let before = model.weights()
            let loss = model.computeGradients(x, labels: labels).loss
            var tensors: [String: [Float]] = [:], i = 0
            for layer in model.layers {
                for p in layer.parameters {
                    let name = "\(layer.name).\(p.name)"
                    if p.trainable { tensors[name] = try XCTUnwrap(p.gradient, name).scalars }
                    else { tensors[name] = zip(p.value.scalars, before[i].scalars).map { $0 - $1 } }   // 0.01 · (batch − initial)
                    i += 1
                }
            }
            return (loss, tensors)
        }
    }

    func check(batch: Int, weights: [Tensor]? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let one = try step(batch: batch, threads: 1, weights: weights)
        XCTAssertEqual(one.tensors.count, 22, file: file, line: line)   // 16 trainable, 6 moving statistics
        for threads in [2, 3] {
            let many = try step(batch: batch, threads: threads, weights: weights)
            XCTAssertEqual(many.loss, one.loss, accuracy: 1e-5 * one.loss, "loss, batch \(batch), \(threads) threads", file: file, line: line)
            var worst = (0.0, "")
            for (name, reference) in one.tensors {
                let got = try XCTUnwrap(many.tensors[name], file: file, line: line)
                XCTAssertTrue(reference.contains { $0 != 0 }, "\(name): all zero, the comparison would prove nothing", file: file, line: line)
                var difference = 0.0, norm = 0.0
                for (u, v) in zip(got, reference) {
                    difference += (Double(u) - Double(v)) * (Double(u) - Double(v))
                    norm += Double(v) * Double(v)
                }
                let relative = (difference / norm).squareRoot()
                if relative > worst.0 { worst = (relative, name) }
                XCTAssertLessThan(relative, 1e-4, "\(name), batch \(batch), \(threads) threads against 1", file: file, line: line)
            }
            print("batch \(batch), \(threads) threads against 1: loss \(many.loss) / \(one.loss), worst ‖Δ‖/‖g‖ \(worst.0) (\(worst.1))")
        }
    }

    func testBatch64() throws { try check(batch: 64) }

    func testBatch50() throws { try check(batch: 50) }

    func testBatch17() throws { try check(batch: 17) }

    func testBatch1() throws { try check(batch: 1) }

    /// The same from weights and moving statistics after 50 Adam steps at one thread, no longer at their start.
    func testBatch64AfterFiftySteps() throws {
        let data = try Self.mnist.get().train.imageSet()
        let trained: [Tensor] = try Threads.withTeam(1) {
            let model = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 42)
            var c = TrainingConfiguration()
            c.epochs = 1
            c.removeCallbacks()
            _ = try fit(model, training: data.slice(2000..<5200), validation: data.slice(5200..<5264), configuration: c)
            return model.weights()
        }
        try check(batch: 64, weights: trained)
    }

    /// The test accuracy is scored at the training's thread count: the images are split over the threads and each one's
    /// arithmetic does not depend on the split, so the probabilities are the same bits at 1, 2 and 3 threads.
    func testPredictionsAgreeBitForBit() throws {
        let images = try Self.mnist.get().test.imageSet().slice(0..<1000)
        func probabilities(_ threads: Int) throws -> [Float] {
            try Threads.withTeam(threads) {
                let model = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 42)
                return model.predict(images).scalars
            }
        }
        let one = try probabilities(1)
        XCTAssertEqual(one.count, 10_000)
        for threads in [2, 3] { XCTAssertTrue(try probabilities(threads) == one, "\(threads) threads against 1") }
    }
}
