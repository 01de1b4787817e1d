import Tensor

/// Keras `Dropout` (inverted): in training each unit is kept with probability 1 − rate and scaled by 1 / (1 − rate);
/// at inference it passes its input through.
final class Dropout: Layer {
    let spec: LayerSpec
    let inputShape: [Int]
    var outputShape: [Int] { inputShape }
    let rate: Float
    private var rng: SeededGenerator
    private var mask: Tensor?

    init(spec: LayerSpec, inputShape: [Int], seed: UInt64) {
        guard case let .dropout(_, rate) = spec else { fatalError("Dropout: \(spec)") }
        self.spec = spec; self.inputShape = inputShape; self.rate = rate
        rng = SeededGenerator(seed: seed)
    }

    var parameters: [Parameter] { [] }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        let keep = 1 - rate, scale = 1 / keep
        let mask = Tensor(shape: x.shape, scalars: (0..<x.count).map { _ in rng.nextUnitFloat() < keep ? scale : 0 })
        self.mask = mask
        return x.multiplied(by: mask)
    }

    func backward(_ dy: Tensor) -> Tensor {
        guard let mask else { return dy }
        return dy.multiplied(by: mask)
    }

    // At inference dropout is the identity, both ways.
    func traceForward(_ x: Tensor) -> Tensor { x }

    func traceBackward(_ dy: Tensor) -> Tensor { dy }
}
