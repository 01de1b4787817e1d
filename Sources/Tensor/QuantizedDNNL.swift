import CDNNL

/// How an int8 convolution or inner product turns its int32 sums into its output:
///     z = inputScale · weightScales[c] · Σ q_x q_w + bias[c]          (real units)
///     y = activation(z) · postScale[c] + postShift[c]
///     out = clamp(round(y / outputScale)) as `outputType`, or y itself in float32 when `outputType` is nil.
/// oneDNN 2.x adds the bias before its output scale, so the bias it gets is bias / (inputScale · weightScales).
public struct Requantization: Sendable {
    public var inputScale: Float
    public var weightScales: [Float]            // [Co], each > 0
    public var bias: [Float]                    // [Co]
    public var activation: ActivationFunction   // linear, relu, sigmoid or tanh
    public var postScale: [Float]?, postShift: [Float]?
    public var outputType: QuantizedType?
    public var outputScale: Float

    public init(inputScale: Float, weightScales: [Float], bias: [Float], activation: ActivationFunction,
                postScale: [Float]? = nil, postShift: [Float]? = nil, outputType: QuantizedType?, outputScale: Float = 1) {
        precondition(activation != .softmax, "Requantization: softmax is not an element-wise post-op")
        self.inputScale = inputScale; self.weightScales = weightScales; self.bias = bias; self.activation = activation
        self.postScale = postScale; self.postShift = postShift; self.outputType = outputType; self.outputScale = outputScale
    }

    var channels: Int { weightScales.count }

    /// ReLU and the identity commute with a positive scale, so 1/outputScale can go into oneDNN's output scale.
    var homogeneous: Bool { activation == .linear || activation == .relu }

    /// Attributes: per-channel output scales, then activation, ·postScale, +postShift as post-ops.
    /// Returns the attribute and the per-channel post-op operands, in post-op order, with their indices.
    func attributes(broadcastDims: [Int]) -> (attr: dnnl_primitive_attr_t, operands: [(index: Int32, values: [Float])]) {
        let dstScale = outputType == nil ? 1 : outputScale
        let g: Float = homogeneous ? 1 / dstScale : 1
        let scales = (0..<channels).map { inputScale * weightScales[$0] * g }
        var attr: dnnl_primitive_attr_t?
        DNNL.check(dnnl_primitive_attr_create(&attr), "attr")
        DNNL.check(dnnl_primitive_attr_set_output_scales(attr, Int64(channels), 1 << 1, scales), "output scales")
        var ops: dnnl_post_ops_t?
        DNNL.check(dnnl_post_ops_create(&ops), "post_ops")
        defer { dnnl_post_ops_destroy(ops) }
        var index: Int32 = 0
        var operands: [(index: Int32, values: [Float])] = []
        switch activation {
        case .relu: DNNL.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "relu"); index += 1
        case .sigmoid: DNNL.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_logistic, 0, 0), "logistic"); index += 1
        case .tanh: DNNL.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_tanh, 0, 0), "tanh"); index += 1
        case .linear, .softmax: break
        }
        var md = QDNNL.desc(broadcastDims, dnnl_f32, broadcastDims.count == 2 ? dnnl_ab : dnnl_nhwc)
        let after: Float = homogeneous ? 1 : 1 / dstScale      // the output scale still to apply
        if let postScale {
            DNNL.check(dnnl_post_ops_append_binary(ops, dnnl_binary_mul, &md), "binary mul")
            operands.append((index, postScale.map { $0 * after })); index += 1
        } else if after != 1 {
            DNNL.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_linear, after, 0), "linear"); index += 1
        }
        if let postShift {
            DNNL.check(dnnl_post_ops_append_binary(ops, dnnl_binary_add, &md), "binary add")
            operands.append((index, postShift.map { $0 / dstScale })); index += 1
        }
        DNNL.check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post_ops")
        return (attr!, operands)
    }

    /// The bias in oneDNN's int32 accumulator units.
    var accumulatorBias: [Float] { (0..<channels).map { bias[$0] / (inputScale * weightScales[$0]) } }
}

/// oneDNN helpers for other data types than float32, with pointers bound per call.
enum QDNNL {
    static func desc(_ dims: [Int], _ type: dnnl_data_type_t, _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let d = dims.map { Int64($0) }
        d.withUnsafeBufferPointer { p in
            DNNL.check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), p.baseAddress, type, tag), "memory_desc_init \(dims)")
        }
        return md
    }

    static func type(_ t: QuantizedType?) -> dnnl_data_type_t {
        switch t {
        case .u8: return dnnl_u8
        case .s8: return dnnl_s8
        case nil: return dnnl_f32
        }
    }

    /// The implementation oneDNN picked, e.g. "brg:avx512_core_vnni" or "jit_int8:avx512_core_vnni".
    static func implementation(_ p: Primitive) -> String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(p.pd, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name else { return "unknown" }
        return String(cString: name)
    }

    /// Reorders plain s8 weights into the primitive's layout (which may carry oneDNN's s8 compensation).
    static func reorderWeights(_ weights: [Int8], from user: dnnl_memory_desc_t, to target: dnnl_memory_desc_t) -> ByteStorage {
        let out = ByteStorage(count: DNNL.bytes(target))
        let source = Memory(user), destination = Memory(target)
        var pd: dnnl_primitive_desc_t?
        var s = user, d = target
        DNNL.check(dnnl_reorder_primitive_desc_create(&pd, &s, DNNL.engine, &d, DNNL.engine, nil), "reorder_pd s8")
        var p: dnnl_primitive_t?
        DNNL.check(dnnl_primitive_create(&p, pd), "reorder s8")
        let reorder = Primitive(pd: pd!, primitive: p!)
        var copy = weights
        copy.withUnsafeMutableBytes { src in
            reorder.run(raw: [(DNNL_ARG_FROM, source, src.baseAddress!), (DNNL_ARG_TO, destination, UnsafeMutableRawPointer(out.pointer))])
        }
        return out
    }

    /// DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1: a binary post-op's second operand.
    static func postOpArgument(_ index: Int32) -> Int32 { 16384 * (index + 1) | DNNL_ARG_SRC_1 }
}

extension Primitive {
    /// Runs with (argument, memory, pointer) triples of any data type and waits for it.
    func run(raw args: [(Int32, Memory, UnsafeMutableRawPointer)]) {
        var exec = [dnnl_exec_arg_t]()
        exec.reserveCapacity(args.count)
        for (arg, memory, pointer) in args {
            DNNL.check(dnnl_memory_set_data_handle_v2(memory.handle, pointer, DNNL.stream), "set_data_handle")
            exec.append(dnnl_exec_arg_t(arg: arg, memory: memory.handle))
        }
        DNNL.check(dnnl_primitive_execute(primitive, DNNL.stream, Int32(exec.count), exec), "primitive_execute")
        DNNL.check(dnnl_stream_wait(DNNL.stream), "stream_wait")
    }
}

/// Post-op operands kept as float32 tensors with their memories, bound at each run.
struct PostOperands {
    let entries: [(argument: Int32, memory: Memory, values: Tensor)]

    init(_ operands: [(index: Int32, values: [Float])], dims: [Int]) {
        entries = operands.map { op in
            (QDNNL.postOpArgument(op.index), Memory(QDNNL.desc(dims, dnnl_f32, dims.count == 2 ? dnnl_ab : dnnl_nhwc)),
             Tensor(shape: [op.values.count], scalars: op.values))
        }
    }

    var arguments: [(Int32, Memory, UnsafeMutableRawPointer)] {
        entries.map { ($0.argument, $0.memory, UnsafeMutableRawPointer($0.values.pointer)) }
    }
}

/// One batch size's oneDNN primitive for an int8 convolution or inner product, with its memories, its weights
/// reordered into the layout oneDNN chose, its bias (pre-divided, see `Requantization`) and post-op operands.
final class QuantizedPlan {
    let primitive: Primitive
    let src, dst, weightsMemory, biasMemory: Memory
    let weights: ByteStorage
    let bias: Tensor
    let operands: PostOperands

    /// `opDesc` is the operation's descriptor made from `src`, `dst`, weights with `format_tag_any` and `bias`;
    /// `userWeights` describes `weights` as the layer stores them; `channelDims` broadcasts a channel vector.
    init(_ opDesc: UnsafeRawPointer, name: String, src s: dnnl_memory_desc_t, dst d: dnnl_memory_desc_t, bias b: dnnl_memory_desc_t,
         weights: [Int8], userWeights: dnnl_memory_desc_t, requantization r: Requantization, channelDims: [Int]) {
        let (attr, operands) = r.attributes(broadcastDims: channelDims)
        defer { dnnl_primitive_attr_destroy(attr) }
        primitive = Primitive(opDesc, attr: attr, name: name)
        src = Memory(primitive.desc(dnnl_query_src_md))
        dst = Memory(primitive.desc(dnnl_query_dst_md))
        precondition(DNNL.equal(src.desc, s) && DNNL.equal(dst.desc, d), "\(name): oneDNN changed the source or destination layout")
        let chosen = primitive.desc(dnnl_query_weights_md)
        weightsMemory = Memory(chosen)
        self.weights = QDNNL.reorderWeights(weights, from: userWeights, to: chosen)
        biasMemory = Memory(b)
        bias = Tensor(shape: [r.channels], scalars: r.accumulatorBias)
        self.operands = PostOperands(operands, dims: channelDims)
    }

    /// x: the quantised input; `output`: the destination's memory (int8, uint8 or float32).
    func run(_ x: QuantizedTensor, _ output: UnsafeMutableRawPointer) {
        primitive.run(raw: [
            (DNNL_ARG_SRC, src, UnsafeMutableRawPointer(x.storage.pointer)),
            (DNNL_ARG_WEIGHTS, weightsMemory, UnsafeMutableRawPointer(weights.pointer)),
            (DNNL_ARG_BIAS, biasMemory, UnsafeMutableRawPointer(bias.pointer)),
            (DNNL_ARG_DST, dst, output),
        ] + operands.arguments)
    }
}
