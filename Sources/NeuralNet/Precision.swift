import Tensor

/// The training precision, by Keras' mixed-precision policy names.
public enum Precision: String, Sendable, CaseIterable, Codable {
    case float32
    /// Convolutions in bf16; master weights, batch-norm statistics, loss and optimizer in fp32.
    case mixedBFloat16 = "mixed_bfloat16"

    /// The precision training really uses on this CPU, and the one line that says why when it differs.
    public var effective: (precision: Precision, note: String?) {
        guard self == .mixedBFloat16, !BFloat16.isSupported else { return (self, nil) }
        return (.float32, "mixed_bfloat16: this CPU has no bf16 instructions (avx512_bf16 or AMX), training in float32")
    }
}

extension Model {
    /// Switches every convolution between fp32 and bf16 products; the weights stay fp32 either way.
    func useMixedPrecision(_ on: Bool) {
        // A residual block's convolutions are its inner layers.
        let all = layers.flatMap { ($0 as? ResidualBlock)?.innerLayers ?? [$0] }
        for case let conv as Conv2D in all { conv.convolution.bfloat16 = on && BFloat16.isSupported }
    }
}
