import CDNNL

/// An int8 inner product (a dense layer) through oneDNN: u8 or s8 rows, s8 weights in Keras' [in, units] layout
/// with one scale per unit, output requantised to u8/s8 or left in float32 (see `Requantization`).
public final class QuantizedInnerProduct {
    public let inputs: Int, outputs: Int
    public let inputType: QuantizedType
    public let requantization: Requantization
    let weights: [Int8]              // [in, units]
    private var plans: [Int: QuantizedPlan] = [:]

    public init(inputs: Int, outputs: Int, weights: [Int8], inputType: QuantizedType, requantization: Requantization) {
        precondition(weights.count == inputs * outputs && requantization.channels == outputs && requantization.bias.count == outputs,
                     "QuantizedInnerProduct: weights, scales or bias do not fit the shape")
        self.inputs = inputs; self.outputs = outputs; self.weights = weights
        self.inputType = inputType; self.requantization = requantization
    }

    /// x: [N, in] → [N, units] in the output type.
    public func forward(_ x: QuantizedTensor) -> QuantizedTensor {
        guard let type = requantization.outputType else { preconditionFailure("QuantizedInnerProduct: float output, use forwardFloat") }
        let y = QuantizedTensor(uninitialized: [x.shape[0], outputs], type: type, scale: requantization.outputScale)
        run(x, UnsafeMutableRawPointer(y.storage.pointer))
        return y
    }

    /// x: [N, in] → [N, units] in float32 (no outputType): the logits of a last layer.
    public func forwardFloat(_ x: QuantizedTensor) -> Tensor {
        precondition(requantization.outputType == nil, "QuantizedInnerProduct: quantised output, use forward")
        let y = Tensor(uninitialized: [x.shape[0], outputs])
        run(x, UnsafeMutableRawPointer(y.pointer))
        return y
    }

    public var implementation: String { QDNNL.implementation(plan(1).primitive) }

    private func run(_ x: QuantizedTensor, _ dst: UnsafeMutableRawPointer) {
        precondition(x.type == inputType && x.shape.count == 2 && x.shape[1] == inputs, "QuantizedInnerProduct: input \(x.type) \(x.shape)")
        plan(x.shape[0]).run(x, dst)
    }

    /// Rows in and out; Keras' [in, units] kernel is oneDNN's (units, in) stored input-major: tag "ba".
    private func makePlan(batch n: Int) -> QuantizedPlan {
        let r = requantization
        var s = QDNNL.desc([n, inputs], QDNNL.type(inputType), dnnl_ab)
        var d = QDNNL.desc([n, outputs], QDNNL.type(r.outputType), dnnl_ab)
        var w = QDNNL.desc([outputs, inputs], dnnl_s8, dnnl_format_tag_any)
        var b = QDNNL.desc([outputs], dnnl_f32, dnnl_a)
        var desc = dnnl_inner_product_desc_t()
        DNNL.check(dnnl_inner_product_forward_desc_init(&desc, dnnl_forward_inference, &s, &w, &b, &d), "int8 inner product desc")
        return QuantizedPlan(&desc, name: "int8 inner product", src: s, dst: d, bias: b, weights: weights,
                             userWeights: QDNNL.desc([outputs, inputs], dnnl_s8, dnnl_ba), requantization: r, channelDims: [1, outputs])
    }

    private func plan(_ n: Int) -> QuantizedPlan {
        if let p = plans[n] { return p }
        let p = makePlan(batch: n)
        plans[n] = p
        return p
    }
}
