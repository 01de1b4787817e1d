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
        movingMean.value.moveTowards(mean, momentum: momentum)
        movingVariance.value.moveTowards(variance, momentum: momentum)
        self.x = x; self.mean = mean; self.variance = variance
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        guard let x, let mean, let variance else { fatalError("\(name): backward before a training forward pass") }
        let (dx, dgamma, dbeta) = kernel.backward(dy, x: x, gamma: gamma.value, mean: mean, variance: variance,
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
