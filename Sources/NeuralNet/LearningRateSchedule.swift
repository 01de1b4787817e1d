import Foundation

/// A learning rate that follows a formula over training, as Keras' `LearningRateScheduler` callback and
/// `keras.optimizers.schedules` set it. `fit` restarts it for every model it trains (ensemble members, repeats).
public enum LearningRateSchedule: Sendable, Equatable {
    /// lr = initial × rate^e for the epoch e counted from 0, set at each epoch's start
    /// (`LearningRateScheduler(lambda e: initial * rate ** e)`).
    case exponential(rate: Double)
    /// Keras `CosineDecay(initial, decay_steps = epochs × steps per epoch, alpha = minLR / initial)`, per step:
    /// from `initial` at the first step down to `minLR` after the last.
    case cosine(minLR: Double)

    /// The rate of the training step `step` (counted from 0 over the whole training) of `epochs` epochs of `stepsPerEpoch` steps.
    public func learningRate(initial: Double, step: Int, stepsPerEpoch: Int, epochs: Int) -> Double {
        switch self {
        case .exponential(let rate):
            return initial * pow(rate, Double(step / max(stepsPerEpoch, 1)))
        case .cosine(let minLR):
            let decaySteps = Double(max(epochs * stepsPerEpoch, 1))
            let progress = min(Double(step), decaySteps) / decaySteps
            let alpha = minLR / initial
            // Keras: initial × ((1 − α) × ½(1 + cos(π t)) + α).
            return initial * ((1 - alpha) * 0.5 * (1 + cos(Double.pi * progress)) + alpha)
        }
    }
}
