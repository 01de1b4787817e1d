import XCTest
@testable import NeuralNet

/// Each diagnosis rule driven by a synthetic history: it fires with its evidence numbers, and stays quiet on a healthy run.
final class DiagnosisTests: XCTestCase {
    /// One epoch log per (loss, accuracy, val_loss) triple.
    func history(_ rows: [(Double, Double, Double?)], lr: Double = 0.001) -> [EpochLog] {
        rows.enumerated().map { i, r in
            EpochLog(epoch: i + 1, loss: r.0, accuracy: r.1, valLoss: r.2, valAccuracy: r.2.map { _ in 0.9 },
                     learningRate: lr, seconds: 1, trainSeconds: 1)
        }
    }

    let healthy: [(Double, Double, Double?)] = [(0.30, 0.91, 0.12), (0.10, 0.97, 0.08), (0.06, 0.98, 0.06), (0.04, 0.99, 0.05)]

    func testHealthyRunHasNoNotes() {
        XCTAssertEqual(Diagnosis.training(history(healthy), events: [], learningRate: 0.001, minLR: 1e-6, patience: 3), [])
        XCTAssertEqual(Diagnosis.neglectedClasses([[50, 1, 0], [2, 45, 3], [0, 4, 46]], classNames: ["0", "1", "2"]), [])
    }

    func testOverfitting() throws {
        let rows: [(Double, Double, Double?)] = [(0.30, 0.91, 0.12), (0.10, 0.97, 0.05), (0.05, 0.98, 0.07), (0.02, 0.99, 0.09)]
        let note = try XCTUnwrap(Diagnosis.overfitting(history(rows)))
        XCTAssertEqual(note.rule, .overfitting)
        XCTAssertEqual(note.evidence, "val_loss was lowest at epoch 2 (0.0500) and rose to 0.0900 by epoch 4, "
            + "while the training loss fell from 0.1000 to 0.0200.")
        XCTAssertEqual(note.parameter, "train.epochs")
        XCTAssertTrue(note.suggestion.hasPrefix("train.epochs: 2"), note.suggestion)
        // A rise while the training loss rises too is not overfitting; nor is a run without validation.
        XCTAssertNil(Diagnosis.overfitting(history([(0.30, 0.9, 0.12), (0.10, 0.9, 0.05), (0.20, 0.9, 0.09)])))
        XCTAssertNil(Diagnosis.overfitting(history(rows.map { ($0.0, $0.1, nil) })))
    }

    func testDivergenceFromARisingLoss() throws {
        let rows: [(Double, Double, Double?)] = [(0.5, 0.8, 0.4), (2.3, 0.11, 2.3), (9.7, 0.10, 8.0)]
        let note = try XCTUnwrap(Diagnosis.divergence(history(rows, lr: 0.5), learningRate: 0.5))
        XCTAssertEqual(note.evidence, "the training loss rose from 0.5000 in epoch 1 to 9.7000 in epoch 3 (peak 9.7000 in epoch 3) with learning rate 0.5.")
        XCTAssertEqual(note.parameter, "train.learning_rate")
        XCTAssertEqual(note.suggestion, "train.learning_rate: 0.05 (a tenth of 0.5).")
        // The rules together: divergence replaces underfitting, which a diverged run shows too.
        let all = Diagnosis.training(history(rows, lr: 0.5), events: [], learningRate: 0.5, minLR: nil, patience: nil)
        XCTAssertEqual(all.map(\.rule), [.divergence])
    }

    func testDivergenceFromANonFiniteLoss() throws {
        let note = try XCTUnwrap(Diagnosis.divergence(history([(0.5, 0.8, 0.4)], lr: 3), learningRate: 3, failedWithNonFiniteLoss: true))
        XCTAssertEqual(note.evidence, "the training loss became non-finite in epoch 2 with learning rate 3.")
        XCTAssertEqual(note.suggestion, "train.learning_rate: 0.3 (a tenth of 3).")
    }

    func testUnderfitting() throws {
        let rows: [(Double, Double, Double?)] = [(2.0, 0.40, 1.9), (1.6, 0.62, 1.5)]
        let note = try XCTUnwrap(Diagnosis.underfitting(history(rows), below: 0.9))
        XCTAssertEqual(note.evidence, "the training accuracy after 2 epochs is 62.00%, below 90%.")
        XCTAssertEqual(note.parameter, "train.epochs")
        XCTAssertTrue(note.suggestion.hasPrefix("train.epochs: 4"))
        XCTAssertNil(Diagnosis.underfitting(history(rows), below: 0.5))
    }

    func testNeverPredictedAndWeakClasses() {
        // Class 2 is never predicted; class 1's recall (40%) is far below the median (90%).
        let confusion = [[90, 10, 0, 0], [60, 40, 0, 0], [5, 5, 0, 0], [0, 10, 0, 90]]
        let notes = Diagnosis.neglectedClasses(confusion, classNames: ["zero", "one", "two", "three"])
        XCTAssertEqual(notes.map(\.evidence), [
            "class one has recall 40.00%, far below the median recall 90.00% (40 of 100 images).",
            "class two is never predicted (10 images of it, recall 0%; median recall 90.00%).",
        ])
        XCTAssertEqual(Set(notes.map(\.rule)), [.neglectedClass])
    }

    func testLearningRateAtItsFloor() throws {
        let events: [TrainingEvent] = [.learningRateReduced(epoch: 3, to: 1e-5), .learningRateReduced(epoch: 5, to: 1e-6)]
        let note = try XCTUnwrap(Diagnosis.learningRateFloor(history(healthy + healthy), events: events, minLR: 1e-6))
        XCTAssertEqual(note.evidence, "ReduceLROnPlateau reduced the learning rate to 1e-06 (min_lr 1e-06) after epoch 5; 3 epochs ran at that floor.")
        XCTAssertEqual(note.parameter, "train.reduce_lr_on_plateau")
        XCTAssertNil(Diagnosis.learningRateFloor(history(healthy), events: [events[0]], minLR: 1e-6))
        XCTAssertNil(Diagnosis.learningRateFloor(history(healthy), events: events, minLR: nil), "no callback, no rule")
    }

    func testEarlyStopInTheFirstEpochs() throws {
        let note = try XCTUnwrap(Diagnosis.earlyStop([.stoppedEarly(epoch: 4)], patience: 3))
        XCTAssertEqual(note.evidence, "EarlyStopping (patience 3) stopped training after epoch 4: the monitored value stopped improving after epoch 1.")
        XCTAssertEqual(note.suggestion, "train.early_stopping: {patience: 6}, or a lower train.learning_rate.")
        XCTAssertNil(Diagnosis.earlyStop([.stoppedEarly(epoch: 12)], patience: 3), "a late stop is early stopping doing its job")
    }
}

/// The rules whose findings are warnings (the run cannot be trusted), with their exact evidence.
final class DiagnosisWarningTests: XCTestCase {
    func log(_ epoch: Int, loss: Double, accuracy: Double, valAccuracy: Double?) -> EpochLog {
        EpochLog(epoch: epoch, loss: loss, accuracy: accuracy, valLoss: valAccuracy.map { _ in 2.3 }, valAccuracy: valAccuracy,
                 learningRate: 0.001, seconds: 1, trainSeconds: 1)
    }

    func testChanceLevelValidationIsAWarning() throws {
        // Batch 512 on a small subset: the training accuracy climbs, the inference-mode validation stays at chance.
        let epochs = [log(1, loss: 1.2, accuracy: 0.62, valAccuracy: 0.098), log(2, loss: 0.4, accuracy: 0.89, valAccuracy: 0.11)]
        let note = try XCTUnwrap(Diagnosis.chanceLevel(epochs, classes: 10))
        XCTAssertEqual(note.severity, .warning)
        XCTAssertEqual(note.evidence, "val_accuracy after epoch 2 is 11.0%, chance level for 10 classes (10%), while the training accuracy is 89.0%.")
        XCTAssertEqual(Diagnosis.training(epochs, events: [], learningRate: 0.001, minLR: nil, patience: nil).first?.rule, .chanceLevel)
        // 16% is above 1.5 × chance; a run without validation says nothing.
        XCTAssertNil(Diagnosis.chanceLevel([log(1, loss: 1, accuracy: 0.9, valAccuracy: 0.16)], classes: 10))
        XCTAssertNil(Diagnosis.chanceLevel([log(1, loss: 1, accuracy: 0.9, valAccuracy: nil)], classes: 10))
    }

    func testDivergenceAndANeverPredictedClassAreWarningsAFarBehindClassANote() throws {
        let grew = [log(1, loss: 2.1, accuracy: 0.2, valAccuracy: 0.2), log(2, loss: 399_830, accuracy: 0.09, valAccuracy: 0.09)]
        XCTAssertEqual(try XCTUnwrap(Diagnosis.divergence(grew, learningRate: 5)).severity, .warning)
        // A loss that exploded in its first epoch and came down a little has not "grown", but it exploded.
        let exploded = [log(1, loss: 399_830.2, accuracy: 0.1, valAccuracy: 0.09), log(2, loss: 2_512, accuracy: 0.1, valAccuracy: 0.09)]
        let note = try XCTUnwrap(Diagnosis.divergence(exploded, learningRate: 5))
        XCTAssertEqual(note.evidence, "the training loss reached 399,830 in epoch 1, far above 2.30 (ln 10, the loss of giving every "
            + "class the same probability), with learning rate 5.")
        XCTAssertEqual(note.severity, .warning)
        XCTAssertNil(Diagnosis.divergence([log(1, loss: 9.1, accuracy: 0.1, valAccuracy: 0.1), log(2, loss: 2.0, accuracy: 0.3, valAccuracy: 0.3)],
                                          learningRate: 0.1))
        let notes = Diagnosis.neglectedClasses([[9, 1, 0, 0], [6, 4, 0, 0], [5, 5, 0, 0], [1, 0, 0, 9]], classNames: ["a", "b", "c", "d"])
        XCTAssertEqual(notes.map(\.severity), [.note, .warning])
        XCTAssertEqual(notes.last?.evidence, "class c is never predicted (10 images of it, recall 0%; median recall 90.00%).")
    }

    func testAChanceTestScoreIsAWarning() throws {
        let note = try XCTUnwrap(Diagnosis.chanceScore(accuracy: 0.089, classes: 10, split: "test"))
        XCTAssertEqual(note.severity, .warning)
        XCTAssertEqual(note.evidence, "test accuracy 8.9% is chance level for 10 classes (10%): the model guesses.")
        XCTAssertNil(Diagnosis.chanceScore(accuracy: 0.5, classes: 10, split: "test"))
    }
}
