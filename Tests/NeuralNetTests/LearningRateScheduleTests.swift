import Datasets
import Foundation
import XCTest
@testable import NeuralNet

final class LearningRateScheduleTests: XCTestCase {
    func testExponentialIsInitialTimesRateToTheEpochCountedFromZero() {
        let s = LearningRateSchedule.exponential(rate: 0.9)
        // 10 steps per epoch: every step of epoch e (from 0) has 0.001 × 0.9^e.
        for (step, epochIndex) in [(0, 0), (9, 0), (10, 1), (19, 1), (25, 2), (99, 9)] {
            XCTAssertEqual(s.learningRate(initial: 0.001, step: step, stepsPerEpoch: 10, epochs: 10),
                           0.001 * pow(0.9, Double(epochIndex)), accuracy: 1e-15, "step \(step)")
        }
        XCTAssertEqual(LearningRateSchedule.exponential(rate: 1).learningRate(initial: 0.01, step: 57, stepsPerEpoch: 10, epochs: 10), 0.01)
    }

    /// Keras CosineDecay(0.001, decay_steps=100, alpha=0.01) at steps 0, 25, 50, 100 and past the end, worked out by hand:
    /// 0.001 × (0.99 × ½(1 + cos(π t)) + 0.01).
    func testCosineMatchesKerasCosineDecay() {
        let s = LearningRateSchedule.cosine(minLR: 1e-5)
        func at(_ step: Int) -> Double { s.learningRate(initial: 0.001, step: step, stepsPerEpoch: 20, epochs: 5) }
        XCTAssertEqual(at(0), 0.001, accuracy: 1e-15)
        XCTAssertEqual(at(25), 0.000855017856, accuracy: 1e-12)   // ½(1 + cos(π/4)) = 0.853553390
        XCTAssertEqual(at(50), 0.000505, accuracy: 1e-15)          // halfway: the mean of 0.001 and 1e-5
        XCTAssertEqual(at(100), 1e-5, accuracy: 1e-15)
        XCTAssertEqual(at(250), 1e-5, accuracy: 1e-15)
        XCTAssertEqual(LearningRateSchedule.cosine(minLR: 0).learningRate(initial: 0.002, step: 100, stepsPerEpoch: 20, epochs: 5), 0)
    }

    /// 512 real MNIST training images, 128 validation images, batch 64: 8 steps per epoch.
    func run(_ configure: (inout TrainingConfiguration) -> Void) throws -> (Model, History) {
        let mnist = try DatasetCatalog.load("mnist")
        let (train, val) = mnist.train.imageSet().slice(0..<640).splitValidation(0.2)
        let model = try Model(name: "small", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "conv1", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .maxpool(name: "pool1", pool: 2),
            .flatten(name: "flatten"),
            .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: 3)
        var c = TrainingConfiguration()
        c.epochs = 3; c.seed = 3; c.batchSize = 64
        configure(&c)
        XCTAssertEqual(batchCount(train.count, batchSize: c.batchSize), 8)
        return (model, try fit(model, training: train, validation: val, configuration: c))
    }

    func testFitsLearningRateColumnFollowsTheSchedule() throws {
        // The plateau callback stays on in the configuration: a schedule overrules it (it would halve at patience 0).
        let (_, exponential) = try run {
            $0.schedule = .exponential(rate: 0.5)
            $0.reduceLROnPlateau = ReduceLROnPlateau(monitor: .loss, factor: 0.1, patience: 0, minLR: 0, minDelta: 10)
        }
        XCTAssertEqual(exponential.epochs.map(\.learningRate), [0.001, 0.0005, 0.00025].map { Double(Float($0)) })
        XCTAssertFalse(exponential.events.contains { if case .learningRateReduced = $0 { return true }; return false })

        // Per step: each epoch's row has the rate of its last step, 8k − 1.
        let (_, cosine) = try run { $0.schedule = .cosine(minLR: 1e-4); $0.reduceLROnPlateau = nil }
        let expected = (1...3).map { epoch in
            Double(Float(LearningRateSchedule.cosine(minLR: 1e-4).learningRate(initial: 0.001, step: 8 * epoch - 1, stepsPerEpoch: 8, epochs: 3)))
        }
        XCTAssertEqual(cosine.epochs.map(\.learningRate), expected)
        XCTAssertLessThan(expected[0], 0.001)
        XCTAssertEqual(expected[2], 0.001 * (0.9 * 0.5 * (1 + cos(Double.pi * 23 / 24)) + 0.1), accuracy: 1e-9)
    }

    /// The scheduled rate is the one the optimizer steps with: a rate of 1 trains bit for bit as no schedule,
    /// a decaying one ends elsewhere.
    func testTheOptimizerStepsWithTheScheduledRate() throws {
        let (plain, _) = try run { $0.reduceLROnPlateau = nil }
        let (constant, _) = try run { $0.reduceLROnPlateau = nil; $0.schedule = .exponential(rate: 1) }
        let (decayed, _) = try run { $0.reduceLROnPlateau = nil; $0.schedule = .cosine(minLR: 0) }
        XCTAssertEqual(plain.weights().map(\.scalars), constant.weights().map(\.scalars))
        XCTAssertNotEqual(plain.weights().map(\.scalars), decayed.weights().map(\.scalars))
    }
}
