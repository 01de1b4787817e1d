import Tensor

/// One layer of a sequential model: forward, then backward through what forward kept.
/// Shapes are per sample, without the batch axis; tensors passed in and out carry it first.
public protocol Layer: AnyObject {
    var spec: LayerSpec { get }
    var inputShape: [Int] { get }
    var outputShape: [Int] { get }
    /// Trainable parameters first, then non-trainable ones, in Keras' order.
    var parameters: [Parameter] { get }
    func forward(_ x: Tensor, training: Bool) -> Tensor
    /// Takes d loss / d output of the last training forward pass, fills parameter gradients, returns d loss / d input.
    func backward(_ dy: Tensor) -> Tensor
}

extension Layer {
    public var name: String { spec.name }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
