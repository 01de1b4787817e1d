import CDNNL

/// Max pooling on u8/s8 NHWC images through oneDNN; the scale passes through (max commutes with it).
public final class QuantizedMaxPooling {
    public let height: Int, width: Int, channels: Int, pool: Int
    public let type: QuantizedType
    public var outputHeight: Int { (height - pool) / pool + 1 }
    public var outputWidth: Int { (width - pool) / pool + 1 }
    private var plans: [Int: (Primitive, Memory, Memory)] = [:]

    public init(height: Int, width: Int, channels: Int, pool: Int, type: QuantizedType) {
        self.height = height; self.width = width; self.channels = channels; self.pool = pool; self.type = type
    }

    /// x: [N, H, W, C] → [N, H/p, W/p, C], same type and scale.
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
                                                  DNNL.dims([pool, pool]), DNNL.dims([pool, pool]), DNNL.dims([0, 0]), DNNL.dims([0, 0])),
                   "int8 pooling desc")
        let primitive = Primitive(&desc, name: "int8 max pooling")
        let p = (primitive, Memory(s), Memory(d))
        plans[n] = p
        return p
    }
}
