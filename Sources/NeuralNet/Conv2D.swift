import Tensor

/// Keras `Conv2D`: y = activation(x ⊛ kernel + bias).  x: [N, H, W, Ci] → y: [N, OH, OW, filters]
final class Conv2D: Layer {
    let spec: LayerSpec
    let inputShape: [Int], outputShape: [Int]
    let kernel: Parameter            // [k, k, Ci, Co] (HWIO, Keras' layout)
    let bias: Parameter?             // [Co]
    let activation: ActivationFunction
    let convolution: Convolution
    private var x: Tensor?, y: Tensor?     // kept from forward for backward
    private var tracedX: Tensor?, tracedY: Tensor?   // kept from traceForward
    var computesInputGradient = true
    /// Set by the model when a batch norm follows a ReLU convolution and applies the ReLU's derivative itself.
    var reluDifferentiatedAfter = false

    init(spec: LayerSpec, inputShape: [Int], outputShape: [Int], rng: inout SeededGenerator) {
        guard case let .conv2d(_, filters, k, stride, padding, activation, useBias) = spec else { fatalError("Conv2D: \(spec)") }
        self.spec = spec; self.inputShape = inputShape; self.outputShape = outputShape; self.activation = activation
        let ci = inputShape[2]
        kernel = Parameter("kernel", glorotUniform(shape: [k, k, ci, filters], fanIn: k * k * ci, fanOut: k * k * filters, rng: &rng))
        bias = useBias ? Parameter("bias", Tensor(zeros: [filters])) : nil
        convolution = Convolution(height: inputShape[0], width: inputShape[1], inputChannels: ci, outputChannels: filters,
                                  kernelSize: k, stride: stride, samePadding: padding == .same, bias: useBias,
                                  fusedReLU: activation == .relu)
    }

    var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let z = convolution.forward(x, weights: kernel.value, bias: bias?.value)
        let y = convolution.fusedReLU ? z : Activations.forward(activation, z)
        if training { self.x = x; self.y = y }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        guard let x, let y else { fatalError("\(name): backward before a training forward pass") }
        let dz = reluDifferentiatedAfter ? dy : Activations.backward(activation, dy: dy, y: y)
        let (dx, dw, db) = convolution.backward(x, dz, weights: kernel.value, inputGradient: computesInputGradient)
        kernel.gradient = dw
        bias?.gradient = db
        // The first layer skips its input gradient; nothing reads what it returns.
        return dx ?? dz
    }

    func traceForward(_ x: Tensor) -> Tensor {
        let y = forward(x, training: false)
        tracedX = x
        tracedY = y
        return y
    }

    // Always to the input, even for the first layer: that gradient is the saliency map.
    // The engine computes weight gradients alongside; they are discarded and no parameter is touched.
    func traceBackward(_ dy: Tensor) -> Tensor {
        guard let tracedX, let tracedY else { fatalError("\(name): traceBackward before traceForward") }
        let dz = Activations.backward(activation, dy: dy, y: tracedY)
        return convolution.backward(tracedX, dz, weights: kernel.value, inputGradient: true).input!
    }
}
