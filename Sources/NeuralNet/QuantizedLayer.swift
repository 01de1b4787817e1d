import Tensor

/// One layer of an int8 model: the folded layer's weights quantised per output channel (symmetric, scale =
/// max |w| / 127), its input and output activations per tensor (u8 when never negative, s8 otherwise).
public struct QuantizedLayer: Sendable, Equatable {
    public let name: String
    public let kind: FoldedLayer.Kind              // conv2d, dense, maxpool or flatten
    public let inputShape: [Int], outputShape: [Int]
    /// conv2d: [k, k, Ci, Co] (HWIO); dense: [in, units]; empty for maxpool and flatten.
    public var kernel: [Int8] = []
    public var weightScales: [Float] = []          // [Co]
    public var bias: [Float] = []                  // [Co], real units
    public var activation: ActivationFunction = .linear
    public var postScale: [Float]?, postShift: [Float]?
    public var inputType: QuantizedType, inputScale: Float
    /// nil: the output stays float32 (the last layer's logits).
    public var outputType: QuantizedType?, outputScale: Float
    public var foldedBatchNorms: [String] = []

    public var outputChannels: Int { outputShape.last ?? 0 }

    /// conv2d and dense carry weights; maxpool and flatten pass their input's type and scale on.
    public var hasWeights: Bool {
        switch kind {
        case .conv2d, .dense: return true
        case .maxpool, .flatten, .affine, .residual, .globalAvgPool: return false
        }
    }

    /// The requantisation of a conv2d or dense; a softmax (last layer only) is applied afterwards in float.
    var requantization: Requantization {
        Requantization(inputScale: inputScale, weightScales: weightScales, bias: bias,
                       activation: activation == .softmax ? .linear : activation,
                       postScale: postScale, postShift: postShift, outputType: outputType, outputScale: outputScale)
    }
}

/// Symmetric per-channel int8: for output channel c, scale = max |w[…, c]| / 127 and q = round(w / scale).
/// A channel of zeros gets scale 1.  w: [..., Co] → (q: same layout, scales: [Co])
func quantizePerChannel(_ w: Tensor) -> (values: [Int8], scales: [Float]) {
    let scalars = w.scalars
    let c = w.shape.last ?? 1
    var maxAbs = [Float](repeating: 0, count: c)
    for (i, v) in scalars.enumerated() { maxAbs[i % c] = max(maxAbs[i % c], abs(v)) }
    let scales = maxAbs.map { $0 > 0 ? $0 / 127 : 1 }
    let values = scalars.enumerated().map { i, v in Int8(min(max((v / scales[i % c]).rounded(.toNearestOrEven), -127), 127)) }
    return (values, scales)
}
