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
    /// Each layer of the architecture with its per-sample output shape and parameter count. An int8 model lists the
    /// float32 architecture it was quantised from (batch norms included), so `/model` reads the same for both.
    public var layerSummaries: [LayerSummary] {
        switch self {
        case .float32(let m):
            return m.layers.map { LayerSummary(spec: $0.spec, outputShape: $0.outputShape, parameters: $0.parameterCount) }
        case .int8(let m):
            var shape = m.inputShape
            return m.specs.map { spec in
                let input = shape
                // The file's architecture was checked when it was read: every layer fits its input.
                shape = (try? spec.outputShape(for: input)) ?? []
                let counts = spec.parameterCounts(for: input)
                return LayerSummary(spec: spec, outputShape: shape, parameters: counts.trainable + counts.nonTrainable)
            }
        }
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

/// One layer as a summary shows it.
public struct LayerSummary: Equatable, Sendable {
    public let spec: LayerSpec
    /// Per-sample output shape, e.g. [14, 14, 32].
    public let outputShape: [Int]
    public let parameters: Int
}
