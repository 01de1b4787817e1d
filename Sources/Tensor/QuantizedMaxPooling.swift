import CDNNL

/// Max pooling on u8/s8 NHWC images through oneDNN; the scale passes through (max commutes with it). Stride and
/// padding as MaxPooling's (the stride defaults to the window; "same" pads the odd pixel bottom/right, never the max).
public final class QuantizedMaxPooling {
    public let height: Int, width: Int, channels: Int, pool: Int, stride: Int
    public let type: QuantizedType
    public let outputHeight: Int, outputWidth: Int
    private let padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    private var plans: [Int: (Primitive, Memory, Memory)] = [:]

    public init(height: Int, width: Int, channels: Int, pool: Int, stride: Int? = nil, samePadding: Bool = false, type: QuantizedType) {
        self.height = height; self.width = width; self.channels = channels; self.pool = pool; self.type = type
        self.stride = stride ?? pool
        (outputHeight, padTop, padBottom) = Convolution.outputSize(height, pool, self.stride, samePadding)
        (outputWidth, padLeft, padRight) = Convolution.outputSize(width, pool, self.stride, samePadding)
    }

    /// x: [N, H, W, C] → [N, outputHeight, outputWidth, C], same type and scale.
    public func forward(_ x: QuantizedTensor) -> QuantizedTensor {
        precondition(x.type == type && x.shape.count == 4 && Array(x.shape.dropFirst()) == [height, width, channels],
                     "QuantizedMaxPooling: input \(x.type) \(x.shape)")
        let n = x.shape[0]
        let (primitive, src, dst) = plan(n)
        let y = QuantizedTensor(uninitialized: [n, outputHeight, outputWidth, channels], type: type, scale: x.scale)
        primitive.run(raw: [(DNNL_ARG_SRC, src, UnsafeMutableRawPointer(x.storage.pointer)),
                            (DNNL_ARG_DST, dst, UnsafeMutableRawPointer(y.storage.pointer))])
        return y
    }

    public var implementation: String { QDNNL.implementation(plan(1).0) }

    private func plan(_ n: Int) -> (Primitive, Memory, Memory) {
        if let p = plans[n] { return p }
        var s = QDNNL.desc([n, channels, height, width], QDNNL.type(type), dnnl_nhwc)
        var d = QDNNL.desc([n, channels, outputHeight, outputWidth], QDNNL.type(type), dnnl_nhwc)
        var desc = dnnl_pooling_desc_t()
        DNNL.check(dnnl_pooling_forward_desc_init(&desc, dnnl_forward_inference, dnnl_pooling_max, &s, &d,
                                                  DNNL.dims([stride, stride]), DNNL.dims([pool, pool]),
                                                  DNNL.dims([padTop, padLeft]), DNNL.dims([padBottom, padRight])),
                   "int8 pooling desc")
        let primitive = Primitive(&desc, name: "int8 max pooling")
        let p = (primitive, Memory(s), Memory(d))
        plans[n] = p
        return p
    }
}
