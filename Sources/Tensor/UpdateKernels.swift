import CKernels
import Foundation

/// In-place updates of parameters and optimizer state (Keras' formulas; see NeuralNet/Optimizer.swift).
extension Tensor {
    /// Adam: m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; w ← w − lrₜ m / (√v + ε), lrₜ already bias-corrected.
    public mutating func adamStep(gradient g: Tensor, m: inout Tensor, v: inout Tensor,
                                  learningRate lr: Float, beta1: Float, beta2: Float, epsilon: Float) {
        makeUnique(); m.makeUnique(); v.makeUnique()
        let w = pointer, gp = g.pointer, mp = m.pointer, vp = v.pointer
        precondition(g.count == count && m.count == count && v.count == count, "adam: \(shape) against \(g.shape)")
        // CKernels/adam.c: 16 elements a vector, each operation rounded as this loop in Swift did (the same bits).
        Parallel.forEach(count) { range in
            mnistbook_adam(w, gp, mp, vp, range.lowerBound, range.upperBound, lr, beta1, beta2, epsilon)
        }
    }

    /// SGD with momentum: v ← μ v − lr g; w ← w + v.
    public mutating func sgdStep(gradient g: Tensor, velocity: inout Tensor, learningRate lr: Float, momentum mu: Float) {
        makeUnique(); velocity.makeUnique()
        let w = pointer, gp = g.pointer, vp = velocity.pointer
        for i in 0..<count {
            let vi = mu * vp[i] - lr * gp[i]
            vp[i] = vi
            w[i] += vi
        }
    }

    /// RMSprop: a ← ρ a + (1−ρ) g²; w ← w − lr g / (√a + ε).
    public mutating func rmspropStep(gradient g: Tensor, average: inout Tensor, learningRate lr: Float, rho: Float, epsilon: Float) {
        makeUnique(); average.makeUnique()
        let w = pointer, gp = g.pointer, ap = average.pointer
        for i in 0..<count {
            let gi = gp[i]
            let ai = rho * ap[i] + (1 - rho) * gi * gi
            ap[i] = ai
            w[i] -= lr * gi / (ai.squareRoot() + epsilon)
        }
    }

    /// Moving average: self ← self · momentum + x · (1 − momentum).
    public mutating func moveTowards(_ x: Tensor, momentum: Float) {
        makeUnique()
        for i in 0..<count { pointer[i] = pointer[i] * momentum + x.pointer[i] * (1 - momentum) }
    }
}
