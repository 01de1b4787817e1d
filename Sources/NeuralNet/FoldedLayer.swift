import Tensor

/// One layer of a model's inference form (`Model.foldingBatchNorm()`): dropout gone, every batch norm folded
/// into the conv2d or dense before it. For conv2d and dense,
///     y = activation(x ⊛ kernel + bias) · postScale + postShift      (post terms per output channel)
/// where a nil post term is 1 (scale) or 0 (shift): a batch norm after a linear layer leaves none,
/// one after a ReLU leaves its shift (and −1 for channels whose scale is negative), one after a
/// sigmoid or tanh leaves both, since these do not commute with scaling.
public struct FoldedLayer: Sendable {
    public enum Kind: Equatable, Sendable {
        case conv2d(kernelSize: Int, stride: Int, samePadding: Bool)
        case dense
        case maxpool(pool: Int, stride: Int, samePadding: Bool)
        case flatten
        case globalAvgPool
        /// A residual block: relu(main(x) + shortcut(x)), its paths in `branches` (batch norms folded into their convolutions).
        case residual
        /// A batch norm with no conv2d or dense right before it: y = x · postScale + postShift.
        case affine
    }

    /// The layer's name in the model (the batch norm's own name for `.affine`).
    public let name: String
    public let kind: Kind
    public let inputShape: [Int], outputShape: [Int]
    /// conv2d: [k, k, Ci, Co] (HWIO); dense: [in, units].
    public var kernel: Tensor?
    /// [Co]; always present for conv2d and dense (zeros when the layer had none).
    public var bias: Tensor?
    public var activation: ActivationFunction
    public var postScale: Tensor?, postShift: Tensor?
    /// The batch norms folded into this layer, in order.
    public var foldedBatchNorms: [String] = []
    /// A residual block's main path (two convolutions, the first with ReLU) and shortcut (empty: the identity).
    public var branches: (main: [FoldedLayer], shortcut: [FoldedLayer])?

    public var outputChannels: Int { outputShape.last ?? 0 }
}

extension Model {
    /// The inference form of this model with its current weights: dropout removed, each batch norm folded into
    /// the conv2d or dense before it (kernel and bias rewritten where the activation allows), or kept as a
    /// per-channel affine layer when nothing precedes it to fold into. Predictions equal `forward`'s up to
    /// float rounding.
    public func foldingBatchNorm() -> [FoldedLayer] {
        var out: [FoldedLayer] = []
        for layer in layers {
            switch layer {
            case let conv as Conv2D:
                guard case let .conv2d(_, _, k, stride, padding, _, _) = conv.spec else { continue }
                out.append(FoldedLayer(name: conv.name, kind: .conv2d(kernelSize: k, stride: stride, samePadding: padding == .same),
                                       inputShape: conv.inputShape, outputShape: conv.outputShape, kernel: conv.kernel.value,
                                       bias: conv.bias?.value ?? Tensor(zeros: [conv.outputShape[2]]), activation: conv.activation))
            case let dense as Dense:
                out.append(FoldedLayer(name: dense.name, kind: .dense, inputShape: dense.inputShape, outputShape: dense.outputShape,
                                       kernel: dense.kernel.value, bias: dense.bias?.value ?? Tensor(zeros: dense.outputShape),
                                       activation: dense.activation))
            case let pool as MaxPool2D:
                guard case let .maxpool(_, size, strides, padding) = pool.spec else { continue }
                out.append(FoldedLayer(name: pool.name, kind: .maxpool(pool: size, stride: strides ?? size, samePadding: padding == .same),
                                       inputShape: pool.inputShape, outputShape: pool.outputShape, activation: .linear))
            case let gap as GlobalAvgPool:
                out.append(FoldedLayer(name: gap.name, kind: .globalAvgPool, inputShape: gap.inputShape,
                                       outputShape: gap.outputShape, activation: .linear))
            case let block as ResidualBlock:
                out.append(block.folded())
            case let flatten as Flatten:
                out.append(FoldedLayer(name: flatten.name, kind: .flatten, inputShape: flatten.inputShape,
                                       outputShape: flatten.outputShape, activation: .linear))
            case let bn as BatchNorm:
                let (s, t) = bn.affineTerms
                if var last = out.last, last.kind.takesPostTerms {
                    last.fold(scale: s, shift: t, batchNorm: bn.name)
                    out[out.count - 1] = last
                } else {
                    let c = s.count
                    out.append(FoldedLayer(name: bn.name, kind: .affine, inputShape: bn.inputShape, outputShape: bn.outputShape,
                                           activation: .linear, postScale: Tensor(shape: [c], scalars: s),
                                           postShift: Tensor(shape: [c], scalars: t), foldedBatchNorms: [bn.name]))
                }
            default:
                continue   // dropout: the identity at inference
            }
        }
        return out
    }
}

extension BatchNorm {
    /// BN(x) = x · s + t with s = γ / √(σ² + ε), t = β − μ · s.
    var affineTerms: (scale: [Float], shift: [Float]) {
        guard case let .batchnorm(_, _, epsilon) = spec else { fatalError("BatchNorm: \(spec)") }
        let gamma = gamma.value.scalars, beta = beta.value.scalars
        let mean = movingMean.value.scalars, variance = movingVariance.value.scalars
        let s = zip(gamma, variance).map { $0 / ($1 + epsilon).squareRoot() }
        return (s, (0..<s.count).map { beta[$0] - mean[$0] * s[$0] })
    }
}

extension ResidualBlock {
    /// The block with each batch norm folded into the (linear, bias-free) convolution before it; relu_a becomes
    /// the first convolution's activation, which is exact because that fold leaves no post terms.
    func folded() -> FoldedLayer {
        func fold(_ conv: Conv2D, _ bn: BatchNorm, activation: ActivationFunction) -> FoldedLayer {
            guard case let .conv2d(name, _, k, stride, padding, _, _) = conv.spec else { fatalError("ResidualBlock: \(conv.spec)") }
            var layer = FoldedLayer(name: name, kind: .conv2d(kernelSize: k, stride: stride, samePadding: padding == .same),
                                    inputShape: conv.inputShape, outputShape: conv.outputShape, kernel: conv.kernel.value,
                                    bias: Tensor(zeros: [conv.outputShape[2]]), activation: .linear)
            let (s, t) = bn.affineTerms
            layer.fold(scale: s, shift: t, batchNorm: bn.name)
            layer.activation = activation
            return layer
        }
        var layer = FoldedLayer(name: name, kind: .residual, inputShape: inputShape, outputShape: outputShape, activation: .relu)
        layer.branches = ([fold(convA, bnA, activation: .relu), fold(convB, bnB, activation: .linear)],
                          projection.map { [fold($0.conv, $0.bn, activation: .linear)] } ?? [])
        layer.foldedBatchNorms = [bnA.name, bnB.name] + (projection.map { [$0.bn.name] } ?? [])
        return layer
    }
}

extension FoldedLayer.Kind {
    /// conv2d, dense and affine layers end in per-channel terms a batch norm can fold into.
    var takesPostTerms: Bool {
        switch self {
        case .conv2d, .dense, .affine: return true
        case .maxpool, .flatten, .globalAvgPool, .residual: return false
        }
    }
}

extension FoldedLayer {
    /// Applies y ← y · s + t after this layer (a conv2d, dense or affine layer).
    mutating func fold(scale s: [Float], shift t: [Float], batchNorm: String) {
        foldedBatchNorms.append(batchNorm)
        let c = s.count
        if postScale != nil || postShift != nil || kind == .affine {
            // Already has post terms: compose them, (y · a + b) · s + t.
            let a = postScale?.scalars ?? [Float](repeating: 1, count: c), b = postShift?.scalars ?? [Float](repeating: 0, count: c)
            postScale = Tensor(shape: [c], scalars: (0..<c).map { a[$0] * s[$0] })
            postShift = Tensor(shape: [c], scalars: (0..<c).map { b[$0] * s[$0] + t[$0] })
            return
        }
        switch activation {
        case .linear:
            // (x·W + b) · s + t = x·(W s) + (b s + t)
            kernel = kernel!.scalingLastAxis(s)
            bias = Tensor(shape: [c], scalars: zip(bias!.scalars, zip(s, t)).map { $0 * $1.0 + $1.1 })
        case .relu:
            // relu(z) · s = sign(s) · relu(z · |s|): the magnitude goes into the weights, the sign and t stay after.
            let magnitude = s.map(abs)
            kernel = kernel!.scalingLastAxis(magnitude)
            bias = Tensor(shape: [c], scalars: zip(bias!.scalars, magnitude).map { $0 * $1 })
            if s.contains(where: { $0 < 0 }) { postScale = Tensor(shape: [c], scalars: s.map { $0 < 0 ? -1 : 1 }) }
            postShift = Tensor(shape: [c], scalars: t)
        case .sigmoid, .tanh, .softmax:
            postScale = Tensor(shape: [c], scalars: s)
            postShift = Tensor(shape: [c], scalars: t)
        }
    }
}

extension Tensor {
    /// Multiplies every slice along the last axis by its factor (a kernel's output channels).
    func scalingLastAxis(_ factors: [Float]) -> Tensor {
        channelAffine(scale: Tensor(shape: [factors.count], scalars: factors), shift: nil)
    }
}
