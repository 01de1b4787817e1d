import Tensor

/// A model read from a `.mnistbook` file: float32 or int8. `predict` and `serve` take either.
public enum LoadedModel {
    case float32(Model)
    case int8(QuantizedModel)

    public var name: String {
        switch self { case .float32(let m): return m.name; case .int8(let m): return m.name }
    }
    public var inputShape: [Int] {
        switch self { case .float32(let m): return m.inputShape; case .int8(let m): return m.inputShape }
    }
    /// The architecture (for an int8 model, the one it was quantised from).
    public var specs: [LayerSpec] {
        switch self { case .float32(let m): return m.specs; case .int8(let m): return m.specs }
    }
    public var parameterCount: Int {
        switch self { case .float32(let m): return m.parameterCount; case .int8(let m): return m.parameterCount }
    }
    /// "float32" or "int8".
    public var precision: String {
        switch self { case .float32: return "float32"; case .int8: return "int8" }
    }

    /// Class probabilities (logits when the last layer is linear).  x: [N, H, W, C] → [N, classes]
    public func forward(_ x: Tensor) -> Tensor {
        switch self { case .float32(let m): return m.forward(x); case .int8(let m): return m.forward(x) }
    }
}
