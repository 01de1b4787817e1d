import Tensor

/// Which update rule, with Keras' defaults.
public enum OptimizerKind: Equatable, Sendable {
    /// β1 0.9, β2 0.999, ε 1e-7.
    case adam
    /// Plain or momentum SGD.
    case sgd(momentum: Float)
    /// ρ 0.9, ε 1e-7.
    case rmsprop
}

/// An optimizer with its per-parameter state; `learningRate` is changed by ReduceLROnPlateau between epochs, or by a schedule before every step.
public struct Optimizer {
    public let kind: OptimizerKind
    public var learningRate: Float
    public private(set) var iterations = 0
    private var first: [Tensor] = [], second: [Tensor] = []

    public init(_ kind: OptimizerKind, learningRate: Float) {
        self.kind = kind
        self.learningRate = learningRate
    }

    /// Applies one update from the gradients the last backward pass left in `parameters` (trainable only).
    public mutating func step(_ parameters: [Parameter]) {
        if first.isEmpty {
            first = parameters.map { Tensor(zeros: $0.value.shape) }
            second = parameters.map { Tensor(zeros: $0.value.shape) }
        }
        iterations += 1
        switch kind {
        case .adam:
            // Keras folds both bias corrections into the step size; ε is added to the uncorrected √v.
            let t = Float(iterations), b1: Float = 0.9, b2: Float = 0.999
            let lr = learningRate * (1 - Float.pow(b2, t)).squareRoot() / (1 - Float.pow(b1, t))
            for (i, p) in parameters.enumerated() {
                guard let g = p.gradient else { continue }
                p.value.adamStep(gradient: g, m: &first[i], v: &second[i], learningRate: lr, beta1: b1, beta2: b2, epsilon: 1e-7)
            }
        case .sgd(let momentum):
            for (i, p) in parameters.enumerated() {
                guard let g = p.gradient else { continue }
                p.value.sgdStep(gradient: g, velocity: &first[i], learningRate: learningRate, momentum: momentum)
            }
        case .rmsprop:
            for (i, p) in parameters.enumerated() {
                guard let g = p.gradient else { continue }
                p.value.rmspropStep(gradient: g, average: &first[i], learningRate: learningRate, rho: 0.9, epsilon: 1e-7)
            }
        }
    }
}

extension Float {
    static func pow(_ x: Float, _ y: Float) -> Float { Float(Foundation.pow(Double(x), Double(y))) }
}

import Foundation
