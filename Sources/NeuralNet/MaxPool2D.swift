import Tensor

/// Keras `MaxPooling2D(pool, strides, padding)`.  x: [N, H, W, C] → [N, OH, OW, C]
final class MaxPool2D: Layer {
    let spec: LayerSpec
    let inputShape: [Int], outputShape: [Int]
    let kernel: MaxPooling
    private var workspace: Tensor?, tracedWorkspace: Tensor?

    init(spec: LayerSpec, inputShape: [Int], outputShape: [Int]) {
        guard case let .maxpool(_, pool, strides, padding) = spec else { fatalError("MaxPool2D: \(spec)") }
        self.spec = spec; self.inputShape = inputShape; self.outputShape = outputShape
        kernel = MaxPooling(height: inputShape[0], width: inputShape[1], channels: inputShape[2], pool: pool,
                            stride: strides, samePadding: padding == .same)
    }

    var parameters: [Parameter] { [] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (y, ws) = kernel.forward(x, training: training)
        if training { workspace = ws }
        return y
    }

    func backward(_ dy: Tensor) -> Tensor {
        guard let workspace else { fatalError("\(name): backward before a training forward pass") }
        return kernel.backward(dy, workspace: workspace)
    }

    // Pooling is the same in both modes; the training primitive records where each max came from.
    func traceForward(_ x: Tensor) -> Tensor {
        let (y, ws) = kernel.forward(x, training: true)
        tracedWorkspace = ws
        return y
    }

    func traceBackward(_ dy: Tensor) -> Tensor {
        guard let tracedWorkspace else { fatalError("\(name): traceBackward before traceForward") }
        return kernel.backward(dy, workspace: tracedWorkspace)
    }
}
