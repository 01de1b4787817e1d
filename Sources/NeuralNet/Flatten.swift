import Tensor

/// Keras `Flatten`: [N, H, W, C] → [N, H·W·C] in channels-last order, a view with no copy.
final class Flatten: Layer {
    let spec: LayerSpec
    let inputShape: [Int], outputShape: [Int]

    init(spec: LayerSpec, inputShape: [Int], outputShape: [Int]) {
        self.spec = spec; self.inputShape = inputShape; self.outputShape = outputShape
    }

    var parameters: [Parameter] { [] }

    func forward(_ x: Tensor, training: Bool) -> Tensor { x.reshaped([x.shape[0]] + outputShape) }

    func backward(_ dy: Tensor) -> Tensor { dy.reshaped([dy.shape[0]] + inputShape) }

    func traceForward(_ x: Tensor) -> Tensor { forward(x, training: false) }

    func traceBackward(_ dy: Tensor) -> Tensor { backward(dy) }
}
