/// What a callback asks of the fit loop after an epoch.
public struct CallbackDecision: Equatable {
    public var events: [TrainingEvent] = []
    public var stop = false
    public var restoreEpoch: Int?
    public var newLearningRate: Double?
    public var keepCheckpoint = false
}

/// A metric a callback watches, and which direction is better (Keras' mode "auto": accuracy up, loss down).
public enum Monitor: String, Sendable, CaseIterable, Codable {
    case loss, accuracy
    case valLoss = "val_loss"
    case valAccuracy = "val_accuracy"

    var higherIsBetter: Bool { self == .accuracy || self == .valAccuracy }

    func value(_ log: EpochLog) -> Double? {
        switch self {
        case .loss: return log.loss
        case .accuracy: return log.accuracy
        case .valLoss: return log.valLoss
        case .valAccuracy: return log.valAccuracy
        }
    }

    /// Whether `current` beats `best` by more than `minDelta`.
    func improves(_ current: Double, on best: Double?, minDelta: Double) -> Bool {
        guard let best else { return true }
        return higherIsBetter ? current - minDelta > best : current + minDelta < best
    }
}

/// Keras `EarlyStopping`: stop after `patience` epochs without improvement, optionally going back to the best weights.
public struct EarlyStopping: Sendable, Equatable {
    public var monitor: Monitor
    public var patience: Int
    public var minDelta: Double
    public var restoreBestWeights: Bool
    // Keras' defaults, here only: the notebook schema takes its defaults from `EarlyStopping()`.
    public init(monitor: Monitor = .valLoss, patience: Int = 3, minDelta: Double = 0, restoreBestWeights: Bool = true) {
        self.monitor = monitor; self.patience = patience; self.minDelta = minDelta; self.restoreBestWeights = restoreBestWeights
    }
}

extension EarlyStopping {
    /// Keras' bookkeeping between epochs.
    public struct State {
        var best: Double?, wait = 0, bestEpoch = 0
        public init() {}
    }

    /// Called after each epoch; `improved` tells the caller to snapshot the weights when restoring is on.
    public func observe(_ log: EpochLog, _ state: inout State) -> (decision: CallbackDecision, improved: Bool) {
        var d = CallbackDecision()
        guard let current = monitor.value(log) else { return (d, false) }
        state.wait += 1
        if monitor.improves(current, on: state.best, minDelta: minDelta) {
            state.best = current; state.bestEpoch = log.epoch; state.wait = 0
            return (d, true)
        }
        if state.wait >= patience && log.epoch > 1 {
            d.stop = true
            d.events.append(.stoppedEarly(epoch: log.epoch))
            if restoreBestWeights && state.bestEpoch > 0 {
                d.restoreEpoch = state.bestEpoch
                d.events.append(.restoredBestWeights(epoch: state.bestEpoch))
            }
        }
        return (d, false)
    }
}

/// Keras `ReduceLROnPlateau`: multiply the learning rate by `factor` after `patience` epochs without improvement.
public struct ReduceLROnPlateau: Sendable, Equatable {
    public var monitor: Monitor
    public var factor: Double
    public var patience: Int
    public var minLR: Double
    /// Keras' default threshold for counting an improvement.
    public var minDelta: Double
    public init(monitor: Monitor = .valLoss, factor: Double = 0.5, patience: Int = 2, minLR: Double = 1e-6, minDelta: Double = 1e-4) {
        self.monitor = monitor; self.factor = factor; self.patience = patience; self.minLR = minLR; self.minDelta = minDelta
    }
}

extension ReduceLROnPlateau {
    public struct State {
        var best: Double?, wait = 0
        public init() {}
    }

    public func observe(_ log: EpochLog, _ state: inout State) -> CallbackDecision {
        var d = CallbackDecision()
        guard let current = monitor.value(log) else { return d }
        if monitor.improves(current, on: state.best, minDelta: minDelta) {
            state.best = current; state.wait = 0
            return d
        }
        state.wait += 1
        if state.wait >= patience, log.learningRate > minLR {
            // Compare in float32, as Keras' optimizer stores the rate.
            let newLR = max(Double(Float(log.learningRate * factor)), minLR)
            state.wait = 0
            d.newLearningRate = newLR
            d.events.append(.learningRateReduced(epoch: log.epoch, to: newLR))
        }
        return d
    }
}

/// Keras `ModelCheckpoint(save_best_only=True)`: keep the weights of the best epoch by `monitor`.
public struct ModelCheckpoint: Sendable, Equatable {
    public var monitor: Monitor
    public var saveBestOnly: Bool
    public init(monitor: Monitor = .valAccuracy, saveBestOnly: Bool = true) {
        self.monitor = monitor; self.saveBestOnly = saveBestOnly
    }
}

extension ModelCheckpoint {
    public struct State {
        var best: Double?
        public init() {}
    }

    public func observe(_ log: EpochLog, _ state: inout State) -> CallbackDecision {
        var d = CallbackDecision()
        guard let current = monitor.value(log) else { return d }
        if !saveBestOnly || monitor.improves(current, on: state.best, minDelta: 0) {
            d.events.append(.checkpoint(epoch: log.epoch, monitor: monitor, from: state.best, to: current))
            d.keepCheckpoint = true
            state.best = current
        }
        return d
    }
}

/// Something a callback did, worded as Keras prints it.
public enum TrainingEvent: Sendable, Equatable, Codable, CustomStringConvertible {
    case learningRateReduced(epoch: Int, to: Double)
    case stoppedEarly(epoch: Int)
    case restoredBestWeights(epoch: Int)
    case checkpoint(epoch: Int, monitor: Monitor, from: Double?, to: Double)

    public var description: String {
        switch self {
        case let .learningRateReduced(epoch, lr):
            return "Epoch \(epoch): ReduceLROnPlateau reducing learning rate to \(kerasNumber(lr))."
        case let .stoppedEarly(epoch):
            return "Epoch \(epoch): early stopping"
        case let .restoredBestWeights(epoch):
            return "Restoring model weights from the end of the best epoch: \(epoch)."
        case let .checkpoint(epoch, monitor, from, to):
            let was = from.map { kerasFixed($0) } ?? "-inf"
            return "Epoch \(epoch): \(monitor.rawValue) improved from \(was) to \(kerasFixed(to)), saving model"
        }
    }
}

/// Python's repr of a float32 learning rate, as Keras prints it (0.0005, 1e-06).
func kerasNumber(_ x: Double) -> String {
    let f = Float(x)
    let s = "\(f)"
    if s.contains("e-") {
        let parts = s.split(separator: "e")
        let exp = Int(parts[1])!
        return "\(parts[0].hasSuffix(".0") ? String(parts[0].dropLast(2)) : String(parts[0]))e-\(String(format: "%02d", -exp))"
    }
    return s
}

func kerasFixed(_ x: Double) -> String { String(format: "%.5f", x) }

import Foundation
