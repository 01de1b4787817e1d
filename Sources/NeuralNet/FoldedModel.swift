import Tensor

/// The inference form of a model (batch norms folded, dropout gone) run in float32; its output equals
/// `Model.forward`'s up to float rounding. Calibration for int8 reads each layer's output through it.
public final class FoldedModel {
    public let layers: [FoldedLayer]
    public let inputShape: [Int]
    private let convolutions: [Convolution?]
    private let pools: [MaxPooling?]
    /// A residual block's paths as models of their own (a nil shortcut: the identity).
    private let blocks: [(main: FoldedModel, shortcut: FoldedModel?)?]

    public convenience init(_ model: Model) {
        self.init(layers: model.foldingBatchNorm(), inputShape: model.inputShape)
    }

    public init(layers: [FoldedLayer], inputShape: [Int]) {
        self.layers = layers
        self.inputShape = inputShape
        convolutions = layers.map { layer in
            guard case let .conv2d(k, stride, same) = layer.kind else { return nil }
            return Convolution(height: layer.inputShape[0], width: layer.inputShape[1], inputChannels: layer.inputShape[2],
                               outputChannels: layer.outputChannels, kernelSize: k, stride: stride, samePadding: same,
                               bias: true, fusedReLU: layer.activation == .relu)
        }
        pools = layers.map { layer in
            guard case let .maxpool(pool, stride, same) = layer.kind else { return nil }
            return MaxPooling(height: layer.inputShape[0], width: layer.inputShape[1], channels: layer.inputShape[2], pool: pool,
                              stride: stride, samePadding: same)
        }
        blocks = layers.map { layer in
            guard let (main, shortcut) = layer.branches else { return nil }
            return (FoldedModel(layers: main, inputShape: layer.inputShape),
                    shortcut.isEmpty ? nil : FoldedModel(layers: shortcut, inputShape: layer.inputShape))
        }
    }

    /// Class probabilities.  x: [N, H, W, C] → [N, classes]
    public func forward(_ x: Tensor) -> Tensor {
        forward(x, observe: { _, _ in })
    }

    /// The forward pass, handing each layer's output (after its post terms) to `observe` with the layer's index.
    public func forward(_ x: Tensor, observe: (Int, Tensor) -> Void) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = output(of: i, layer, h)
            observe(i, h)
        }
        return h
    }

    private func output(of i: Int, _ layer: FoldedLayer, _ x: Tensor) -> Tensor {
        switch layer.kind {
        case .conv2d:
            let conv = convolutions[i]!
            let z = conv.forward(x, weights: layer.kernel!, bias: layer.bias)
            let y = conv.fusedReLU ? z : Activations.forward(layer.activation, z)
            return y.channelAffine(scale: layer.postScale, shift: layer.postShift)
        case .dense:
            let z = MatrixMultiply.product(x, layer.kernel!).addingRowVector(layer.bias!)
            return Activations.forward(layer.activation, z).channelAffine(scale: layer.postScale, shift: layer.postShift)
        case .maxpool:
            return pools[i]!.forward(x, training: false).y
        case .flatten:
            return x.reshaped([x.shape[0]] + layer.outputShape)
        case .affine:
            return x.channelAffine(scale: layer.postScale, shift: layer.postShift)
        case .globalAvgPool:
            return GlobalAveragePooling.forward(x)
        case .residual:
            let (main, shortcut) = blocks[i]!
            return Activations.forward(.relu, main.forward(x).adding(shortcut?.forward(x) ?? x))
        }
    }

    /// Probabilities for many samples, `batchSize` at a time.
    public func predict(_ images: ImageSet, batchSize: Int = 256) -> Tensor {
        var out = [Float]()
        let classes = layers.last?.outputChannels ?? 0
        out.reserveCapacity(images.count * classes)
        for start in stride(from: 0, to: images.count, by: batchSize) {
            out += forward(images.batch(start..<min(start + batchSize, images.count)).x).scalars
        }
        return Tensor(shape: [images.count, classes], scalars: out)
    }
}
