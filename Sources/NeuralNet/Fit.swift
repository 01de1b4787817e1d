import Foundation
import Tensor

/// Everything `fit` needs besides the model and the data, with the Keras reference project's defaults.
public struct TrainingConfiguration: Sendable {
    public var optimizer: OptimizerKind = .adam
    public var learningRate = 0.001
    public var batchSize = 64
    public var epochs = 20
    public var shuffle = true
    public var seed: UInt64 = 42
    public var earlyStopping: EarlyStopping? = EarlyStopping()
    public var reduceLROnPlateau: ReduceLROnPlateau? = ReduceLROnPlateau()
    public var checkpoint: ModelCheckpoint? = ModelCheckpoint()
    /// Sets the rate before every step from `learningRate`; ReduceLROnPlateau is then off (Keras cannot change a scheduled rate).
    public var schedule: LearningRateSchedule?
    public var precision: Precision = .float32
    /// Applied to training batches only, a fresh draw per image and epoch from `seed`.
    public var augmentation: Augmentation?
    public init() {}

    /// No early stopping, learning-rate reduction or checkpoint: exactly `epochs` epochs, the last epoch's weights
    /// (benchmarks, tune trials, tests).
    public mutating func removeCallbacks() {
        earlyStopping = nil
        reduceLROnPlateau = nil
        checkpoint = nil
    }
}

/// One row of Keras' History, plus the epoch's wall time.
public struct EpochLog: Sendable, Equatable, Codable {
    public let epoch: Int            // 1-based, as Keras prints it
    public let loss: Double
    public let accuracy: Double
    public let valLoss: Double?
    public let valAccuracy: Double?
    public let learningRate: Double
    public let seconds: Double
    public let trainSeconds: Double  // training steps only, for throughput
}

/// What training did: per-epoch logs, callback events, the best checkpoint. Codable, so the step
/// cache stores it as it is.
public struct History: Codable {
    public var epochs: [EpochLog] = []
    public var events: [TrainingEvent] = []
    /// The epoch whose weights the model holds at the end (the restored best one, or the last).
    public var finalWeightsEpoch = 0
    /// ModelCheckpoint's best epoch and its weights.
    public var checkpointEpoch: Int?
    public var checkpointWeights: [Tensor]?
    public var stoppedEarly: Bool { events.contains { if case .stoppedEarly = $0 { return true }; return false } }
    public var trainImages = 0
    /// The precision training ran in, and the line saying why when it is not the one asked for.
    public var precision: Precision = .float32
    public var precisionNote: String?
    public var trainSeconds: Double { epochs.reduce(0) { $0 + $1.trainSeconds } }
    public var imagesPerSecond: Double { trainSeconds > 0 ? Double(trainImages) / trainSeconds : 0 }
}

/// Hooks for progress display; every hook is optional.
public struct TrainingObserver {
    public var epochBegan: (_ epoch: Int, _ epochs: Int, _ steps: Int) -> Void = { _, _, _ in }
    public var batchEnded: (_ step: Int, _ steps: Int, _ loss: Double, _ accuracy: Double) -> Void = { _, _, _, _ in }
    public var epochEnded: (EpochLog) -> Void = { _ in }
    public var event: (TrainingEvent) -> Void = { _ in }
    public init() {}
}

/// Training that cannot go on.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case nonFiniteLoss(epoch: Int, batch: Int, loss: Double)
    case noData
    case invalidBatchSize(Int)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, batch, loss):
            // A NaN's sign bit depends on the operations that made it (Swift prints "-nan"): it means nothing here.
            return "epoch \(epoch), batch \(batch): invalid loss \(loss.isNaN ? "nan" : "\(loss)"), terminating training (the learning rate may be too high)"
        case .noData:
            return "no training images"
        case .invalidBatchSize(let size):
            return "the batch size must be in [1, \(ArchitectureLimits.batchSize)], got \(size)"
        }
    }
}

/// Batches in one epoch of `count` images (the last one may be short), without overflowing for any batch size.
public func batchCount(_ count: Int, batchSize: Int) -> Int {
    count / batchSize + (count % batchSize == 0 ? 0 : 1)
}

/// Keras' `model.fit`: shuffles with `seed` each epoch, trains in batches, validates, and runs the callbacks.
public func fit(_ model: Model, training: ImageSet, validation: ImageSet?, configuration c: TrainingConfiguration,
                observer: TrainingObserver = TrainingObserver()) throws(TrainingError) -> History {
    guard training.count > 0 else { throw TrainingError.noData }
    guard (1...ArchitectureLimits.batchSize).contains(c.batchSize) else { throw TrainingError.invalidBatchSize(c.batchSize) }
    var history = History()
    var optimizer = Optimizer(c.optimizer, learningRate: Float(c.learningRate))
    let steps = batchCount(training.count, batchSize: c.batchSize)
    let trainable = model.trainableParameters
    var order = Array(0..<training.count)

    var stopping = EarlyStopping.State(), reducing = ReduceLROnPlateau.State(), checkpointing = ModelCheckpoint.State()
    var bestWeights: [Tensor]?
    (history.precision, history.precisionNote) = c.precision.effective
    model.useMixedPrecision(history.precision == .mixedBFloat16)
    defer { model.useMixedPrecision(false) }

    func record(_ e: TrainingEvent) { history.events.append(e); observer.event(e) }

    for epoch in 1...max(c.epochs, 1) {
        let start = Date()
        if c.shuffle {
            var rng = SeededGenerator.derived(seed: c.seed, stream: 1000 + UInt64(epoch))
            order.shuffle(using: &rng)
        }
        observer.epochBegan(epoch, c.epochs, steps)
        var lossSum = 0.0, correct = 0, seen = 0
        for step in 0..<steps {
            let indices = order[step * c.batchSize..<min((step + 1) * c.batchSize, training.count)]
            let batch = c.augmentation.map { $0.batch(training, indices, epoch: epoch, seed: c.seed) } ?? training.batch(indices)
            let (loss, right) = model.computeGradients(batch.x, labels: batch.labels)
            guard loss.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: step + 1, loss: loss) }
            if let schedule = c.schedule {
                optimizer.learningRate = Float(schedule.learningRate(initial: c.learningRate, step: (epoch - 1) * steps + step,
                                                                     stepsPerEpoch: steps, epochs: c.epochs))
            }
            optimizer.step(trainable)
            lossSum += loss * Double(indices.count); correct += right; seen += indices.count
            observer.batchEnded(step + 1, steps, lossSum / Double(seen), Double(correct) / Double(seen))
        }
        let trainSeconds = Date().timeIntervalSince(start)
        // Keras validates with the training batch size; a larger one would only raise peak memory.
        let val = validation.flatMap { $0.count > 0 ? model.evaluate($0, batchSize: c.batchSize) : nil }
        // With a schedule, the rate of the epoch's last step (per-step cosine moves within the epoch).
        let log = EpochLog(epoch: epoch, loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen),
                           valLoss: val?.loss, valAccuracy: val?.accuracy, learningRate: Double(optimizer.learningRate),
                           seconds: Date().timeIntervalSince(start), trainSeconds: trainSeconds)
        history.epochs.append(log)
        history.trainImages += seen
        history.finalWeightsEpoch = epoch
        observer.epochEnded(log)

        // Keras runs the reference project's callbacks in this order: EarlyStopping, ReduceLROnPlateau, ModelCheckpoint.
        var stop = false
        if let es = c.earlyStopping {
            let (d, improved) = es.observe(log, &stopping)
            if improved && es.restoreBestWeights { bestWeights = model.weights() }
            d.events.forEach(record)
            stop = d.stop
            if let epoch = d.restoreEpoch, let best = bestWeights {
                model.setWeights(best)
                history.finalWeightsEpoch = epoch
            }
        }
        if let rl = c.reduceLROnPlateau, c.schedule == nil {
            let d = rl.observe(log, &reducing)
            d.events.forEach(record)
            if let lr = d.newLearningRate { optimizer.learningRate = Float(lr) }
        }
        if let cp = c.checkpoint {
            let d = cp.observe(log, &checkpointing)
            d.events.forEach(record)
            if d.keepCheckpoint {
                history.checkpointEpoch = epoch
                history.checkpointWeights = model.weights()
            }
        }
        if stop { break }
    }
    return history
}
