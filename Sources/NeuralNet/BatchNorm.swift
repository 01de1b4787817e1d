import Tensor

/// Keras `BatchNormalization` over the channel axis: batch statistics in training, moving statistics at inference.
/// moving ← moving · momentum + batch · (1 − momentum), with the biased batch variance as Keras 3 uses.
final class BatchNorm: Layer {
    let spec: LayerSpec
    let inputShape: [Int]
    var outputShape: [Int] { inputShape }
    let gamma, beta, movingMean, movingVariance: Parameter   // [C] each
    let momentum: Float
    let kernel: BatchNormalization
    private var x: Tensor?, mean: Tensor?, variance: Tensor?
    private var winners: BatchNormalization.PoolWinners?   // from the last forward fused with a pool
    /// Set by the model when the layer before ends in a ReLU: backward applies that ReLU's derivative too (0 where the
    /// input is 0), in the sweep it makes anyway, and the layer before skips its own pass.
    var differentiatesReLUBefore = false

    init(spec: LayerSpec, inputShape: [Int]) {
        guard case let .batchnorm(_, momentum, epsilon) = spec else { fatalError("BatchNorm: \(spec)") }
        self.spec = spec; self.inputShape = inputShape; self.momentum = momentum
        let c = inputShape.last!
        gamma = Parameter("gamma", Tensor(repeating: 1, shape: [c]))
        beta = Parameter("beta", Tensor(zeros: [c]))
        movingMean = Parameter("moving_mean", Tensor(zeros: [c]), trainable: false)
        movingVariance = Parameter("moving_variance", Tensor(repeating: 1, shape: [c]), trainable: false)
        kernel = BatchNormalization(channels: c, epsilon: epsilon)
    }

    var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training else {
            return kernel.forwardInference(x, gamma: gamma.value, beta: beta.value, mean: movingMean.value, variance: movingVariance.value)
        }
        let (y, mean, variance) = kernel.forwardTraining(x, gamma: gamma.value, beta: beta.value)
        keep(x, mean, variance, winners: nil)
        return y
    }

    /// This layer and `pool` after it in one training forward pass (TrainingStep): the pool's output.
    func forwardTraining(_ x: Tensor, pooledBy pool: MaxPool2D) -> Tensor {
        let (y, winners, mean, variance) = kernel.forwardTraining(x, gamma: gamma.value, beta: beta.value, pooledBy: pool.kernel)
        keep(x, mean, variance, winners: winners)
        return y
    }

    /// Moves the moving statistics towards the batch's and keeps what backward needs.
    private func keep(_ x: Tensor, _ mean: Tensor, _ variance: Tensor, winners: BatchNormalization.PoolWinners?) {
        movingMean.value.moveTowards(mean, momentum: momentum)
        movingVariance.value.moveTowards(variance, momentum: momentum)
        self.x = x; self.mean = mean; self.variance = variance; self.winners = winners
    }

    func backward(_ dy: Tensor) -> Tensor {
        guard let x, let mean, let variance, winners == nil else { fatalError("\(name): backward without its training forward pass") }
        let (dx, dgamma, dbeta) = kernel.backward(dy, x: x, gamma: gamma.value, mean: mean, variance: variance,
                                                    maskNonPositiveInput: differentiatesReLUBefore)
        gamma.gradient = dgamma
        beta.gradient = dbeta
        return dx
    }

    /// Backward through `forwardTraining(_:pooledBy:)` from the gradient at the pool's output.
    func backward(pooled dy: Tensor, pool: MaxPool2D) -> Tensor {
        guard let x, let mean, let variance, let winners else { fatalError("\(name): backward without its fused forward pass") }
        let (dx, dgamma, dbeta) = kernel.backward(pooled: dy, winners: winners, x: x, gamma: gamma.value, mean: mean,
                                                    variance: variance, pool: pool.kernel,
                                                    maskNonPositiveInput: differentiatesReLUBefore)
        gamma.gradient = dgamma
        beta.gradient = dbeta
        return dx
    }

    func traceForward(_ x: Tensor) -> Tensor { forward(x, training: false) }

    /// With moving statistics the layer is y = γ (x − mean) / √(var + ε) + β per channel, so dx = dy · γ / √(var + ε).
    func traceBackward(_ dy: Tensor) -> Tensor {
        let c = inputShape.last!
        let g = gamma.value.scalars, v = movingVariance.value.scalars
        let scale = (0..<c).map { g[$0] / (v[$0] + kernel.epsilon).squareRoot() }
        var dx = dy.scalars
        for i in dx.indices { dx[i] *= scale[i % c] }
        return Tensor(shape: dy.shape, scalars: dx)
    }
}
