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
    /// The inference forward pass, keeping what `traceBackward` needs: gradients to the input of a trained
    /// model (saliency) with moving statistics, no dropout, and no parameter gradient or batch statistic touched.
    func traceForward(_ x: Tensor) -> Tensor
    /// d output / d input at inference, for the input of the last `traceForward`.
    func traceBackward(_ dy: Tensor) -> Tensor
    /// The layer's operations in the model graph, the first fed by `input`.
    func nodes(input: String) -> [GraphNode]
}

extension Layer {
    public func nodes(input: String) -> [GraphNode] { singleNode(input: input) }
    public var name: String { spec.name }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
