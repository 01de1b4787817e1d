import CDNNL

/// An int8 2-D convolution through oneDNN (VNNI on CPUs that have it): u8 or s8 NHWC input, s8 HWIO weights
/// with one scale per output channel, output requantised to u8/s8 or left in float32 (see `Requantization`).
public final class QuantizedConvolution {
    public let height: Int, width: Int, inputChannels: Int, outputChannels: Int
    public let kernelSize: Int, stride: Int
    public let outputHeight: Int, outputWidth: Int
    let padding: (top: Int, left: Int, bottom: Int, right: Int)
    public let inputType: QuantizedType
    public let requantization: Requantization
    let weights: [Int8]              // [k, k, Ci, Co]
    private var plans: [Int: QuantizedPlan] = [:]

    public init(height: Int, width: Int, inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int,
                samePadding: Bool, weights: [Int8], inputType: QuantizedType, requantization: Requantization) {
        precondition(weights.count == kernelSize * kernelSize * inputChannels * outputChannels
                     && requantization.channels == outputChannels && requantization.bias.count == outputChannels,
                     "QuantizedConvolution: weights, scales or bias do not fit the shape")
        self.height = height; self.width = width; self.inputChannels = inputChannels; self.outputChannels = outputChannels
        self.kernelSize = kernelSize; self.stride = stride
        let (oh, pt, pb) = Convolution.outputSize(height, kernelSize, stride, samePadding)
        let (ow, pl, pr) = Convolution.outputSize(width, kernelSize, stride, samePadding)
        outputHeight = oh; outputWidth = ow; padding = (pt, pl, pb, pr)
        self.weights = weights; self.inputType = inputType; self.requantization = requantization
    }

    /// x: [N, H, W, Ci] (u8/s8, scale = requantization.inputScale) → [N, OH, OW, Co] in the output type.
    public func forward(_ x: QuantizedTensor) -> QuantizedTensor {
        guard let type = requantization.outputType else { preconditionFailure("QuantizedConvolution: float output, use forwardFloat") }
        let y = QuantizedTensor(uninitialized: [x.shape[0], outputHeight, outputWidth, outputChannels], type: type,
                                scale: requantization.outputScale)
        run(x, UnsafeMutableRawPointer(y.storage.pointer))
        return y
    }

    /// The same with a float32 output (no outputType).
    public func forwardFloat(_ x: QuantizedTensor) -> Tensor {
        precondition(requantization.outputType == nil, "QuantizedConvolution: quantised output, use forward")
        let y = Tensor(uninitialized: [x.shape[0], outputHeight, outputWidth, outputChannels])
        run(x, UnsafeMutableRawPointer(y.pointer))
        return y
    }

    /// The oneDNN implementation in use (shows whether VNNI kernels run).
    public var implementation: String { QDNNL.implementation(plan(1).primitive) }

    private func run(_ x: QuantizedTensor, _ dst: UnsafeMutableRawPointer) {
        precondition(x.type == inputType && x.shape.count == 4 && Array(x.shape.dropFirst()) == [height, width, inputChannels],
                     "QuantizedConvolution: input \(x.type) \(x.shape)")
        plan(x.shape[0]).run(x, dst)
    }

    /// NHWC source and destination, HWIO weights as Keras stores them.
    private func makePlan(batch n: Int) -> QuantizedPlan {
        let r = requantization
        var s = QDNNL.desc([n, inputChannels, height, width], QDNNL.type(inputType), dnnl_nhwc)
        var d = QDNNL.desc([n, outputChannels, outputHeight, outputWidth], QDNNL.type(r.outputType), dnnl_nhwc)
        let weightDims = [outputChannels, inputChannels, kernelSize, kernelSize]
        var w = QDNNL.desc(weightDims, dnnl_s8, dnnl_format_tag_any)
        var b = QDNNL.desc([outputChannels], dnnl_f32, dnnl_a)
        let strides = DNNL.dims([stride, stride])
        let padL = DNNL.dims([padding.top, padding.left]), padR = DNNL.dims([padding.bottom, padding.right])
        var desc = dnnl_convolution_desc_t()
        DNNL.check(dnnl_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct,
                                                      &s, &w, &b, &d, strides, padL, padR), "int8 conv desc")
        return QuantizedPlan(&desc, name: "int8 convolution", src: s, dst: d, bias: b, weights: weights,
                             userWeights: QDNNL.desc(weightDims, dnnl_s8, dnnl_hwio), requantization: r,
                             channelDims: [1, outputChannels, 1, 1])
    }

    private func plan(_ n: Int) -> QuantizedPlan {
        if let p = plans[n] { return p }
        let p = makePlan(batch: n)
        plans[n] = p
        return p
    }
}
