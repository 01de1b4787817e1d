import Tensor

/// Keras `Dense`: y = activation(x · kernel + bias).  x: [N, in] → y: [N, units]
final class Dense: Layer {
    let spec: LayerSpec
    let inputShape: [Int], outputShape: [Int]
    let kernel: Parameter        // [in, units]
    let bias: Parameter?         // [units]
    let activation: ActivationFunction
    private var x: Tensor?, y: Tensor?
    private var tracedY: Tensor?

    init(spec: LayerSpec, inputShape: [Int], outputShape: [Int], rng: inout SeededGenerator) {
        guard case let .dense(_, units, activation, useBias) = spec else { fatalError("Dense: \(spec)") }
        self.spec = spec; self.inputShape = inputShape; self.outputShape = outputShape; self.activation = activation
        kernel = Parameter("kernel", glorotUniform(shape: [inputShape[0], units], fanIn: inputShape[0], fanOut: units, rng: &rng))
        bias = useBias ? Parameter("bias", Tensor(zeros: [units])) : nil
    }

    var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    /// The pre-activation values; the loss starts from these when the activation is softmax.
    func logits(_ x: Tensor, training: Bool) -> Tensor {
        let z = MatrixMultiply.product(x, kernel.value)
        if training { self.x = x }
        return bias.map { z.addingRowVector($0.value) } ?? z
    }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = Activations.forward(activation, logits(x, training: training))
        if training { self.y = y }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        guard let y else { fatalError("\(name): backward before a training forward pass") }
        return backward(logitsGradient: Activations.backward(activation, dy: dy, y: y))
    }

    /// Backward from d loss / d pre-activation (the fused softmax cross-entropy path).
    func backward(logitsGradient dz: Tensor) -> Tensor {
        guard let x else { fatalError("\(name): backward before a training forward pass") }
        kernel.gradient = MatrixMultiply.product(x, dz, transposeA: true)
        bias?.gradient = dz.columnSums()
        return MatrixMultiply.product(dz, kernel.value, transposeB: true)
    }

    func traceForward(_ x: Tensor) -> Tensor {
        let y = forward(x, training: false)
        tracedY = y
        return y
    }

    func traceBackward(_ dy: Tensor) -> Tensor {
        guard let tracedY else { fatalError("\(name): traceBackward before traceForward") }
        return traceBackward(logitsGradient: Activations.backward(activation, dy: dy, y: tracedY))
    }

    /// d loss / d input from d loss / d pre-activation, without parameter gradients.  dz: [N, units] → [N, in]
    func traceBackward(logitsGradient dz: Tensor) -> Tensor {
        MatrixMultiply.product(dz, kernel.value, transposeB: true)
    }
}
