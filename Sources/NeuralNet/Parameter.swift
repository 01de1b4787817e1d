import Tensor

/// One weight tensor of a layer, with the gradient of the last backward pass.
/// Non-trainable parameters (batch norm's moving statistics) are updated by their layer, not the optimizer.
public final class Parameter {
    /// Unique within its layer; a block's inner layers prefix theirs (`conv_a/kernel`).
    public internal(set) var name: String
    public var value: Tensor { didSet { version &+= 1 } }
    /// Bumped on every write of `value`, so forms derived from it (the folded inference network) know to rebuild.
    public private(set) var version = 0
    public var gradient: Tensor?
    public let trainable: Bool

    public init(_ name: String, _ value: Tensor, trainable: Bool = true) {
        self.name = name
        self.value = value
        self.trainable = trainable
    }
}

/// Keras' default kernel initialiser: uniform in ±√(6 / (fan_in + fan_out)).
func glorotUniform(shape: [Int], fanIn: Int, fanOut: Int, rng: inout SeededGenerator) -> Tensor {
    let limit = (6 / Float(fanIn + fanOut)).squareRoot()
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<count).map { _ in (rng.nextUnitFloat() * 2 - 1) * limit })
}
