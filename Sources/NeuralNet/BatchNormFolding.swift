import Tensor

/// Batch norm at inference is a per-channel affine map y = x · scale + shift, from the moving statistics:
/// scale = γ / √(σ² + ε), shift = β − μ · scale.
public struct ChannelAffine {
    public let scale: [Float], shift: [Float]     // [C] each

    init(_ bn: BatchNorm) {
        let gamma = bn.gamma.value.scalars, beta = bn.beta.value.scalars
        let mean = bn.movingMean.value.scalars, variance = bn.movingVariance.value.scalars
        let scale = (0..<gamma.count).map { gamma[$0] / (variance[$0] + bn.kernel.epsilon).squareRoot() }
        self.scale = scale
        shift = (0..<gamma.count).map { beta[$0] - mean[$0] * scale[$0] }
    }
}

/// A convolution or dense layer with the batch norm that follows it folded in, for inference:
/// y = activation(x ⊛ kernel + bias), then · scale + shift per output channel when those are set.
/// With no activation in between, the batch norm goes into kernel and bias (scale, shift nil); after a ReLU it
/// cannot (a · relu(z) ≠ relu(a · z) when a < 0), so it stays an affine map fused into the same kernel.
public struct FoldedLayer {
    public var kernel: Tensor            // conv: [k, k, Ci, Co] (HWIO); dense: [in, units]: output channels last
    public var bias: Tensor?             // [Co]
    public let activation: ActivationFunction
    public var scale: Tensor?, shift: Tensor?

    init(kernel: Tensor, bias: Tensor?, activation: ActivationFunction) {
        self.kernel = kernel; self.bias = bias; self.activation = activation
    }

    /// Folds `bn`, which follows this layer; false when it cannot (a softmax, or an affine map already folded).
    mutating func fold(_ bn: BatchNorm) -> Bool {
        guard activation != .softmax, scale == nil else { return false }
        let affine = ChannelAffine(bn)
        guard activation == .linear else {
            scale = Tensor(shape: [affine.scale.count], scalars: affine.scale)
            shift = Tensor(shape: [affine.shift.count], scalars: affine.shift)
            return true
        }
        // w'[…, c] = w[…, c] · scale[c]; b' = b · scale + shift.
        let channels = affine.scale.count
        var w = kernel.scalars
        for i in w.indices { w[i] *= affine.scale[i % channels] }
        kernel = Tensor(shape: kernel.shape, scalars: w)
        let b = bias?.scalars ?? [Float](repeating: 0, count: channels)
        bias = Tensor(shape: [channels], scalars: (0..<channels).map { b[$0] * affine.scale[$0] + affine.shift[$0] })
        return true
    }
}

extension Model {
    /// The model as inference steps: batch norm folded into the layer before it, dropout and flatten gone.
    /// Nil when a layer has no inference step (the caller then runs the layers one by one).
    func inferenceSteps() -> [InferenceStep]? {
        enum Pending { case conv(FoldedLayer, stride: Int, same: Bool), dense(FoldedLayer), step(InferenceStep) }
        var pending: [Pending] = []
        for layer in layers {
            switch layer {
            case let c as Conv2D:
                guard case let .conv2d(_, _, _, stride, padding, _, _) = c.spec else { return nil }
                pending.append(.conv(FoldedLayer(kernel: c.kernel.value, bias: c.bias?.value, activation: c.activation),
                                     stride: stride, same: padding == .same))
            case let d as Dense:
                pending.append(.dense(FoldedLayer(kernel: d.kernel.value, bias: d.bias?.value, activation: d.activation)))
            case let bn as BatchNorm:
                switch pending.last {
                case .conv(var f, let stride, let same)? where f.fold(bn): pending[pending.count - 1] = .conv(f, stride: stride, same: same)
                case .dense(var f)? where f.fold(bn): pending[pending.count - 1] = .dense(f)
                default:
                    let a = ChannelAffine(bn)
                    pending.append(.step(.scaleShift(scale: Tensor(shape: [a.scale.count], scalars: a.scale),
                                                     shift: Tensor(shape: [a.shift.count], scalars: a.shift))))
                }
            case let p as MaxPool2D:
                pending.append(.step(.maxPool(pool: p.kernel.pool)))
            case is Flatten, is Dropout:
                continue     // a view and the identity at inference
            default:
                return nil
            }
        }
        return pending.map {
            switch $0 {
            case let .conv(f, stride, same):
                return .convolution(weights: f.kernel, bias: f.bias, stride: stride, samePadding: same,
                                    activation: f.activation, scale: f.scale, shift: f.shift)
            case let .dense(f):
                return .dense(weights: f.kernel, bias: f.bias, activation: f.activation, scale: f.scale, shift: f.shift)
            case let .step(s):
                return s
            }
        }
    }
}
