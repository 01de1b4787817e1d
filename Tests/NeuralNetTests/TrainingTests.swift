import Datasets
import Foundation
import Tensor
import XCTest
@testable import NeuralNet


final class TrainingTests: XCTestCase {
    func testReferenceCNNCountsKerasParameters() throws {
        let model = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 42)
        XCTAssertEqual(model.parameterCount, 459_210)
        XCTAssertEqual(model.trainableParameterCount, 458_890)
        // Per layer, as Keras' model.summary() prints them (scripts/keras_reference_summary.txt).
        XCTAssertEqual(model.layers.map(\.parameterCount), [320, 128, 0, 18_496, 256, 0, 36_928, 256, 0, 401_536, 0, 1_290])
        XCTAssertEqual(model.layers.map(\.outputShape), [[28, 28, 32], [28, 28, 32], [14, 14, 32], [14, 14, 64], [14, 14, 64],
                                                         [7, 7, 64], [7, 7, 64], [7, 7, 64], [3136], [128], [128], [10]])
    }

    func testShapeErrorsNameTheLayer() {
        XCTAssertThrowsError(try Model(name: "m", inputShape: [28, 28, 1], layers: [
            .dense(name: "dense1", units: 10, activation: .softmax, useBias: true)], seed: 1)) { error in
            XCTAssertEqual("\(error)", "layer 'dense1': dense needs a flat input; add a flatten layer before it (input is 28×28×1)")
        }
        XCTAssertThrowsError(try Model(name: "m", inputShape: [2, 2, 1], layers: [
            .conv2d(name: "c", filters: 1, kernel: 3, stride: 1, padding: .valid, activation: .relu, useBias: true)], seed: 1)) { error in
            XCTAssertEqual("\(error)", "layer 'c': kernel 3×3 does not fit a 2×2 input with valid padding")
        }
        XCTAssertThrowsError(try Model(name: "m", inputShape: [4], layers: [
            .dense(name: "out", units: 3, activation: .relu, useBias: true)], seed: 1)) { error in
            XCTAssertEqual("\(error)", "layer 'out': the last layer must be dense with softmax activation (the loss is categorical cross-entropy)")
        }
    }

    /// A small model on the first MNIST images, for tests that train.
    func smallRun(seed: UInt64, configure: (inout TrainingConfiguration) -> Void = { _ in },
                  prepare: (Model) -> Void = { _ in }) throws -> (Model, History) {
        let mnist = try DatasetCatalog.load("mnist")
        let data = mnist.train.imageSet().slice(0..<640)
        let model = try Model(name: "small", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "conv1", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .batchnorm(name: "bn1", momentum: 0.99, epsilon: 0.001),
            .maxpool(name: "pool1", pool: 2),
            .flatten(name: "flatten"),
            .dense(name: "dense1", units: 16, activation: .relu, useBias: true),
            .dropout(name: "dropout", rate: 0.5),
            .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: seed)
        var c = TrainingConfiguration()
        c.epochs = 2; c.seed = seed
        configure(&c)
        prepare(model)
        let (train, val) = data.splitValidation(0.2)
        return (model, try fit(model, training: train, validation: val, configuration: c))
    }

    func testSameSeedGivesBitIdenticalWeights() throws {
        let (a, _) = try smallRun(seed: 5)
        let (b, _) = try smallRun(seed: 5)
        let (c, _) = try smallRun(seed: 6)
        XCTAssertEqual(a.weights().map(\.scalars), b.weights().map(\.scalars))
        XCTAssertNotEqual(a.weights().map(\.scalars), c.weights().map(\.scalars))
    }

    func testHistoryHasKerasColumnsAndCheckpoint() throws {
        let (_, history) = try smallRun(seed: 1)
        XCTAssertEqual(history.epochs.map(\.epoch), [1, 2])
        XCTAssertEqual(history.trainImages, 2 * 512)
        for log in history.epochs {
            XCTAssertNotNil(log.valLoss); XCTAssertNotNil(log.valAccuracy)
            XCTAssertEqual(log.learningRate, 0.001, accuracy: 1e-9)
        }
        XCTAssertNotNil(history.checkpointEpoch)
        XCTAssertEqual(history.checkpointWeights?.count, 10, "conv 2 + batchnorm 4 + dense 2 + dense 2")
    }

    /// A NaN planted in the output layer's bias makes the first batch's loss NaN on every CPU (a huge learning
    /// rate overflows on one CPU and stays finite on another; a NaN before a ReLU may be clipped to 0).
    func testNonFiniteLossStopsWithAClearError() throws {
        XCTAssertThrowsError(try smallRun(seed: 1, prepare: { model in
            var weights = model.weights()
            let last = weights.count - 1          // output: bias [10]
            var bias = weights[last].scalars
            bias[3] = .nan
            weights[last] = Tensor(shape: weights[last].shape, scalars: bias)
            model.setWeights(weights)
        })) { error in
            guard case .nonFiniteLoss(let epoch, let batch, let loss) = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(epoch, 1)
            XCTAssertEqual(batch, 1)
            XCTAssertTrue(loss.isNaN)
            XCTAssertEqual("\(error)", "epoch 1, batch 1: invalid loss nan, terminating training (the learning rate may be too high)")
        }
    }

    /// One epoch of the reference CNN on real MNIST (48k/12k split) must reach 97% on the 10k test images.
    /// Measured (docs/BENCHMARKS.md, "The one-epoch test's threshold" and "One epoch at 1 and 2 threads"): seed 42, the
    /// one trained here, gave 0.9820-0.9878 over 1-4 threads and both batch-norm engines, rounding alone moving a seed's
    /// figure by up to half a point; other seeds span 0.9671-0.9879, so the bar is for this seed only. It guards that training learns; a subtly wrong gradient (the ReLU's derivative left out: 0.9754) is the
    /// finite-difference checks' job (ModelGradientTests), as the one-epoch figure cannot tell it from noise.
    func testReferenceCNNOneEpochOnMNIST() throws {
        let mnist = try DatasetCatalog.load("mnist")
        let (train, val) = mnist.train.imageSet().splitValidation(0.2)
        let model = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: 42)
        var c = TrainingConfiguration()
        c.epochs = 1
        let history = try fit(model, training: train, validation: val, configuration: c)
        let (loss, accuracy) = model.evaluate(mnist.test.imageSet())
        print("one epoch: test accuracy \(accuracy), loss \(loss), \(Int(history.imagesPerSecond)) images/s")
        XCTAssertGreaterThanOrEqual(accuracy, 0.97)
    }
}
