import Tensor

/// Keras `GlobalAveragePooling2D`: each channel's mean over the image.  x: [N, H, W, C] → [N, C]
final class GlobalAvgPool: Layer {
    let spec: LayerSpec
    let inputShape: [Int], outputShape: [Int]

    init(spec: LayerSpec, inputShape: [Int], outputShape: [Int]) {
        self.spec = spec; self.inputShape = inputShape; self.outputShape = outputShape
    }

    var parameters: [Parameter] { [] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        GlobalAveragePooling.forward(x)
    }

    func backward(_ dy: Tensor) -> Tensor {
        GlobalAveragePooling.backward(dy, height: inputShape[0], width: inputShape[1])
    }

    func traceForward(_ x: Tensor) -> Tensor { forward(x, training: false) }

    func traceBackward(_ dy: Tensor) -> Tensor { backward(dy) }
}
