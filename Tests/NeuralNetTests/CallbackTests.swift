import XCTest
@testable import NeuralNet

/// The callbacks' decisions on made-up epoch logs, against what Keras does with the same numbers.
final class CallbackTests: XCTestCase {
    func log(_ epoch: Int, valLoss: Double, valAccuracy: Double = 0.9, lr: Double = 0.001) -> EpochLog {
        EpochLog(epoch: epoch, loss: 0.1, accuracy: 0.9, valLoss: valLoss, valAccuracy: valAccuracy,
                 learningRate: lr, seconds: 1, trainSeconds: 1)
    }

    func testEarlyStoppingWaitsPatienceEpochsThenRestoresBest() {
        let es = EarlyStopping(monitor: .valLoss, patience: 3, restoreBestWeights: true)
        var state = EarlyStopping.State()
        var decisions: [CallbackDecision] = []
        for (i, v) in [0.5, 0.4, 0.41, 0.42, 0.43, 0.3].enumerated() {
            decisions.append(es.observe(log(i + 1, valLoss: v), &state).decision)
            if decisions.last!.stop { break }
        }
        XCTAssertEqual(decisions.count, 5)
        XCTAssertEqual(decisions.last!.restoreEpoch, 2)
        XCTAssertEqual(decisions.last!.events.map(\.description),
                       ["Epoch 5: early stopping", "Restoring model weights from the end of the best epoch: 2."])
    }

    func testEarlyStoppingMinDelta() {
        let es = EarlyStopping(monitor: .valAccuracy, patience: 1, minDelta: 0.01, restoreBestWeights: false)
        var state = EarlyStopping.State()
        XCTAssertFalse(es.observe(log(1, valLoss: 0, valAccuracy: 0.90), &state).decision.stop)
        // +0.005 is below min_delta, so it is not an improvement.
        let d = es.observe(log(2, valLoss: 0, valAccuracy: 0.905), &state).decision
        XCTAssertTrue(d.stop)
        XCTAssertNil(d.restoreEpoch)
    }

    func testReduceLROnPlateauHalvesAfterPatienceAndRespectsMinimum() {
        let rl = ReduceLROnPlateau(monitor: .valLoss, factor: 0.5, patience: 2, minLR: 0.0003)
        var state = ReduceLROnPlateau.State()
        XCTAssertNil(rl.observe(log(1, valLoss: 0.5), &state).newLearningRate)
        XCTAssertNil(rl.observe(log(2, valLoss: 0.5), &state).newLearningRate)
        let d = rl.observe(log(3, valLoss: 0.6), &state)
        XCTAssertEqual(d.newLearningRate!, 0.0005, accuracy: 1e-10)
        XCTAssertEqual(d.events.map(\.description), ["Epoch 3: ReduceLROnPlateau reducing learning rate to 0.0005."])
        XCTAssertNil(rl.observe(log(4, valLoss: 0.6, lr: 0.0005), &state).newLearningRate)
        XCTAssertEqual(rl.observe(log(5, valLoss: 0.6, lr: 0.0005), &state).newLearningRate!, 0.0003, accuracy: 1e-10)
        XCTAssertNil(rl.observe(log(6, valLoss: 0.6, lr: 0.0003), &state).newLearningRate)
        XCTAssertNil(rl.observe(log(7, valLoss: 0.6, lr: 0.0003), &state).newLearningRate, "already at min_lr")
    }

    func testKerasPrintsSmallRatesInExponentForm() {
        XCTAssertEqual(TrainingEvent.learningRateReduced(epoch: 12, to: 1e-6).description,
                       "Epoch 12: ReduceLROnPlateau reducing learning rate to 1e-06.")
        XCTAssertEqual(TrainingEvent.learningRateReduced(epoch: 9, to: 0.00025).description,
                       "Epoch 9: ReduceLROnPlateau reducing learning rate to 0.00025.")
    }

    func testCheckpointKeepsOnlyImprovements() {
        let cp = ModelCheckpoint(monitor: .valAccuracy, saveBestOnly: true)
        var state = ModelCheckpoint.State()
        XCTAssertTrue(cp.observe(log(1, valLoss: 0, valAccuracy: 0.97), &state).keepCheckpoint)
        XCTAssertFalse(cp.observe(log(2, valLoss: 0, valAccuracy: 0.96), &state).keepCheckpoint)
        let d = cp.observe(log(3, valLoss: 0, valAccuracy: 0.98), &state)
        XCTAssertTrue(d.keepCheckpoint)
        XCTAssertEqual(d.events.map(\.description), ["Epoch 3: val_accuracy improved from 0.97000 to 0.98000, saving model"])
    }
}
