import CDNNL
import CKernels

/// A 2-D convolution over NHWC images with HWIO (Keras-layout) weights, through oneDNN, or through mnistbook's own
/// kernels: when the input has one channel (`runsOwnKernels`), and Winograd F(2,3) for the forward pass and input
/// gradient of 3×3 stride-1 layers with channels in multiples of 16 (`runsWinograd`; the weight gradient stays on oneDNN).
/// One kernel object serves one layer; it builds and keeps oneDNN's primitives per batch size.
public final class Convolution {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let height: Int, width: Int          // input
    public let outputHeight: Int, outputWidth: Int
    let padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    let hasBias: Bool
    /// ReLU applied in the forward primitive itself (a oneDNN post-op), saving a pass over the output.
    public let fusedReLU: Bool
    private var plans: [Int: Plan] = [:]
    /// The Winograd kernels, made on their first call (so still nil shows a path that never ran them).
    private(set) var winogradForward: WinogradBatch?, winogradBackwardData: WinogradBatch?
    /// Mixed precision: the products in bf16 (oneDNN's avx512_core_bf16 / AMX kernels), fp32 in and out.
    /// Set only where `BFloat16.isSupported`.
    public var bfloat16 = false {
        didSet { if bfloat16 != oldValue { plans = [:] } }
    }

    /// `samePadding` follows TensorFlow: the output is ceil(input / stride), extra padding goes bottom/right.
    public init(height: Int, width: Int, inputChannels: Int, outputChannels: Int,
                kernelSize: Int, stride: Int = 1, samePadding: Bool, bias: Bool = true, fusedReLU: Bool = false) {
        self.height = height; self.width = width
        self.inputChannels = inputChannels; self.outputChannels = outputChannels
        self.kernelSize = kernelSize; self.stride = stride; self.hasBias = bias; self.fusedReLU = fusedReLU
        let (oh, pt, pb) = Convolution.outputSize(height, kernelSize, stride, samePadding)
        let (ow, pl, pr) = Convolution.outputSize(width, kernelSize, stride, samePadding)
        outputHeight = oh; outputWidth = ow
        padTop = pt; padBottom = pb; padLeft = pl; padRight = pr
    }

    /// Whether mnistbook's own kernels (CKernels/conv1.c) fit: one input channel, stride 1, a kernel of at most 7 × 7
    /// and a multiple of 16 filters. oneDNN's NHWC kernels run a network's first layer on grey images at about a tenth
    /// of the core's multiply-add rate (nothing to vectorise over in one channel); these vectorise over the filters.
    public static func ownKernelsFit(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int) -> Bool {
        inputChannels == 1 && stride == 1 && (1...7).contains(kernelSize) && outputChannels > 0 && outputChannels % 16 == 0
    }

    /// The forward pass and the weight gradients on the own kernels (the input gradient, in bf16 too, stays on oneDNN).
    public var runsOwnKernels: Bool {
        !bfloat16 && Convolution.ownKernelsFit(inputChannels: inputChannels, outputChannels: outputChannels,
                                               kernelSize: kernelSize, stride: stride)
    }

    /// 3×3, stride 1, channels in multiples of 16, padded alike all round: oneDNN's direct kernels already run these at
    /// the cores' multiply-add peak, and Winograd F(2,3) needs 2.25× fewer multiplies.
    var winogradFits: Bool {
        kernelSize == 3 && padTop == padBottom && padLeft == padRight && padTop == padLeft
            && WinogradConvolution.fits(inputChannels: inputChannels, outputChannels: outputChannels, kernel: [3, 3],
                                        stride: stride, output: [outputHeight, outputWidth])
    }

    /// The input gradient as a forward Winograd convolution needs 'same' padding (pad 1 gives dx the size of dy).
    var winogradFitsBackwardData: Bool { winogradFits && padTop == 1 }

    /// The forward pass (and with 'same' padding the input gradient) on the Winograd kernel; bf16 stays on oneDNN.
    public var runsWinograd: Bool { !bfloat16 && winogradFits }

    /// Output length and (before, after) padding along one axis; output ≤ 0 means the kernel does not fit.
    public static func outputSize(_ n: Int, _ k: Int, _ s: Int, _ same: Bool) -> (Int, Int, Int) {
        if same {
            let out = (n + s - 1) / s
            let total = max((out - 1) * s + k - n, 0)
            return (out, total / 2, total - total / 2)
        }
        return ((n - k) / s + 1, 0, 0)
    }

    // MARK: forward

    /// y = x ⊛ w + b (then max(0, ·) when `fusedReLU`).  x: [N, H, W, Ci], w: [k, k, Ci, Co], b: [Co] → y: [N, OH, OW, Co]
    public func forward(_ x: Tensor, weights w: Tensor, bias b: Tensor?) -> Tensor {
        let n = x.shape[0]
        if runsOwnKernels { return ownForward(x, weights: w, bias: hasBias ? b : nil) }
        if runsWinograd {
            let kernel = winogradForward ?? WinogradBatch(self, .forward)
            winogradForward = kernel
            return kernel.run(x, weights: w, bias: hasBias ? b : nil, relu: fusedReLU)
        }
        let plan = self.plan(n)
        plan.weightsToForward.run(from: w.pointer, to: plan.forwardWeights.pointer)
        let y = Tensor(uninitialized: [n, outputHeight, outputWidth, outputChannels])
        let source = plan.lowSource.map { $0.convert(x) } ?? x
        var args: [(Int32, Memory, UnsafeMutablePointer<Float>)] = [
            (DNNL_ARG_SRC, plan.src, source.pointer),
            (DNNL_ARG_WEIGHTS, plan.forwardWeightsMemory, plan.forwardWeights.pointer),
            (DNNL_ARG_DST, plan.dst, y.pointer),
        ]
        if let b, hasBias { args.append((DNNL_ARG_BIAS, plan.bias, b.pointer)) }
        plan.forward.run(args)
        return y
    }

    // MARK: backward

    /// dw = Σ x ⊗ dy, db = Σ dy, and when `inputGradient` dx = dy ⊛ᵀ w.
    /// x: [N, H, W, Ci], dy: [N, OH, OW, Co] → dx: [N, H, W, Ci], dw: [k, k, Ci, Co], db: [Co]
    public func backward(_ x: Tensor, _ dy: Tensor, weights w: Tensor, inputGradient: Bool)
        -> (input: Tensor?, weights: Tensor, bias: Tensor?) {
        let n = x.shape[0]
        if runsOwnKernels && !inputGradient {
            let (dw, db) = ownWeightGradients(x, dy)
            return (nil, dw, db)
        }
        let plan = self.plan(n)
        let source = plan.lowSource.map { $0.convert(x) } ?? x
        let gradient = plan.lowGradient.map { $0.convert(dy) } ?? dy

        let db = hasBias ? Tensor(uninitialized: [outputChannels]) : nil
        var args: [(Int32, Memory, UnsafeMutablePointer<Float>)] = [
            (DNNL_ARG_SRC, plan.src, source.pointer),
            (DNNL_ARG_DIFF_DST, plan.diffDst, gradient.pointer),
            (DNNL_ARG_DIFF_WEIGHTS, plan.diffWeightsMemory, plan.diffWeights.pointer),
        ]
        if let db { args.append((DNNL_ARG_DIFF_BIAS, plan.bias, db.pointer)) }
        plan.backwardWeights.run(args)
        let dw = Tensor(uninitialized: [kernelSize, kernelSize, inputChannels, outputChannels])
        plan.diffWeightsToUser.run(from: plan.diffWeights.pointer, to: dw.pointer)
        guard inputGradient else { return (nil, dw, db) }
        if runsWinograd && winogradFitsBackwardData {
            let kernel = winogradBackwardData ?? WinogradBatch(self, .backwardData)
            winogradBackwardData = kernel
            return (kernel.run(dy, weights: w, bias: nil, relu: false), dw, db)
        }

        plan.weightsToBackwardData.run(from: w.pointer, to: plan.backwardDataWeights.pointer)
        let dx = Tensor(uninitialized: [n, height, width, inputChannels])
        plan.backwardData.run([
            (DNNL_ARG_DIFF_DST, plan.diffDst, gradient.pointer),
            (DNNL_ARG_WEIGHTS, plan.backwardDataWeightsMemory, plan.backwardDataWeights.pointer),
            (DNNL_ARG_DIFF_SRC, plan.diffSrc, dx.pointer),
        ])
        return (dx, dw, db)
    }

    // MARK: one input channel: mnistbook's own kernels

    /// Images split over the threads; each output sums its window in one fixed order, so the split changes no bits.
    private func ownForward(_ x: Tensor, weights w: Tensor, bias b: Tensor?) -> Tensor {
        let n = x.shape[0]
        precondition(x.shape == [n, height, width, 1] && w.shape == [kernelSize, kernelSize, 1, outputChannels],
                     "conv: x \(x.shape), w \(w.shape)")
        let y = Tensor(uninitialized: [n, outputHeight, outputWidth, outputChannels])
        Parallel.forEach(n, minimumPerThread: imagesPerThread) { r in
            mnistbook_conv1_forward(x.pointer, w.pointer, b?.pointer, fusedReLU ? 1 : 0, nil, nil, y.pointer, height, width,
                                    kernelSize, padTop, padLeft, outputHeight, outputWidth, outputChannels,
                                    r.lowerBound, r.upperBound)
        }
        return y
    }

    /// dw and db from each thread's images into its own double sums, added in part order: the bits depend on the
    /// number of threads (as batch norm's do), never on their timing.
    private func ownWeightGradients(_ x: Tensor, _ dy: Tensor) -> (weights: Tensor, bias: Tensor?) {
        let n = x.shape[0], co = outputChannels, taps = kernelSize * kernelSize * co
        precondition(x.shape == [n, height, width, 1] && dy.shape == [n, outputHeight, outputWidth, co],
                     "conv backward: x \(x.shape), dy \(dy.shape)")
        let sums = Parallel.partSums(n, minimumPerThread: imagesPerThread, width: taps + co) { r, dw in
            mnistbook_conv1_backward_weights(x.pointer, dy.pointer, height, width, kernelSize, padTop, padLeft,
                                             outputHeight, outputWidth, co, r.lowerBound, r.upperBound, dw, dw + taps)
        }
        let dw = Tensor(shape: [kernelSize, kernelSize, 1, co], scalars: sums[..<taps].map { Float($0) })
        let db = hasBias ? Tensor(shape: [co], scalars: sums[taps...].map { Float($0) }) : nil
        return (dw, db)
    }

    /// At least about 32k outputs per thread: fewer cost more to hand out than to compute.
    private var imagesPerThread: Int { max(1, 32_768 / max(outputHeight * outputWidth * outputChannels, 1)) }

    // MARK: primitives per batch size

    private final class Plan {
        let forward, backwardData, backwardWeights: Primitive
        let src, dst, diffSrc, diffDst, bias: Memory
        let forwardWeightsMemory, backwardDataWeightsMemory, diffWeightsMemory: Memory
        let forwardWeights, backwardDataWeights, diffWeights: Tensor   // weights in oneDNN's preferred layouts
        let weightsToForward, weightsToBackwardData, diffWeightsToUser: Reorder
        /// In bf16: the input and the output gradient converted before the primitives read them.
        let lowSource, lowGradient: Conversion?

        init(_ c: Convolution, batch n: Int) {
            // In bf16 the primitives read bf16 (input, weights, output gradient) and write fp32
            // (output, input gradient, weight gradient), so everything outside stays fp32.
            let low = c.bfloat16 ? dnnl_bf16 : dnnl_f32
            let srcMD = DNNL.desc([n, c.inputChannels, c.height, c.width], dnnl_nhwc)
            let dstMD = DNNL.desc([n, c.outputChannels, c.outputHeight, c.outputWidth], dnnl_nhwc)
            let srcLow = DNNL.desc([n, c.inputChannels, c.height, c.width], dnnl_nhwc, low)
            let dstLow = DNNL.desc([n, c.outputChannels, c.outputHeight, c.outputWidth], dnnl_nhwc, low)
            let userWeights = DNNL.desc([c.outputChannels, c.inputChannels, c.kernelSize, c.kernelSize], dnnl_hwio)
            let anyWeights = DNNL.desc([c.outputChannels, c.inputChannels, c.kernelSize, c.kernelSize], dnnl_format_tag_any, low)
            var anyDiffWeights = DNNL.desc([c.outputChannels, c.inputChannels, c.kernelSize, c.kernelSize], dnnl_format_tag_any)
            let biasMD = DNNL.desc([c.outputChannels], dnnl_a)
            // A zeroed descriptor tells oneDNN there is no bias.
            var biasArg = c.hasBias ? biasMD : dnnl_memory_desc_t()
            let strides = DNNL.dims([c.stride, c.stride])
            let padL = DNNL.dims([c.padTop, c.padLeft]), padR = DNNL.dims([c.padBottom, c.padRight])
            var s = srcLow, d = dstMD, wAny = anyWeights, ds = srcMD, dd = dstLow

            var fd = dnnl_convolution_desc_t()
            DNNL.check(dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct,
                                                          &s, &wAny, &biasArg, &d, strides, padL, padR), "conv fwd desc")
            var attr: dnnl_primitive_attr_t?
            DNNL.check(dnnl_primitive_attr_create(&attr), "attr")
            defer { dnnl_primitive_attr_destroy(attr) }
            if c.fusedReLU {
                var ops: dnnl_post_ops_t?
                DNNL.check(dnnl_post_ops_create(&ops), "post_ops")
                defer { dnnl_post_ops_destroy(ops) }
                DNNL.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "post_ops relu")
                DNNL.check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post_ops")
            }
            forward = Primitive(&fd, attr: attr, name: "convolution forward")

            var bd = dnnl_convolution_desc_t()
            DNNL.check(dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &ds, &wAny, &dd,
                                                                strides, padL, padR), "conv bwd data desc")
            backwardData = Primitive(&bd, hint: forward, name: "convolution backward data")

            var wd = dnnl_convolution_desc_t()
            DNNL.check(dnnl_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, &s, &anyDiffWeights,
                                                                   &biasArg, &dd, strides, padL, padR), "conv bwd weights desc")
            backwardWeights = Primitive(&wd, hint: forward, name: "convolution backward weights")

            src = Memory(forward.desc(dnnl_query_src_md))
            dst = Memory(forward.desc(dnnl_query_dst_md))
            precondition(DNNL.equal(src.desc, srcLow) && DNNL.equal(dst.desc, dstMD), "conv: oneDNN changed the NHWC layout")
            diffSrc = Memory(srcMD)
            diffDst = Memory(dstLow)
            bias = Memory(biasMD)
            lowSource = c.bfloat16 ? Conversion(from: srcMD, to: srcLow) : nil
            lowGradient = c.bfloat16 ? Conversion(from: dstMD, to: dstLow) : nil

            let fw = forward.desc(dnnl_query_weights_md)
            let bw = backwardData.desc(dnnl_query_weights_md)
            let dw = backwardWeights.desc(dnnl_query_diff_weights_md)
            forwardWeightsMemory = Memory(fw)
            backwardDataWeightsMemory = Memory(bw)
            diffWeightsMemory = Memory(dw)
            forwardWeights = Tensor(zeros: [(DNNL.bytes(fw) + 3) / 4])
            backwardDataWeights = Tensor(zeros: [(DNNL.bytes(bw) + 3) / 4])
            diffWeights = Tensor(zeros: [(DNNL.bytes(dw) + 3) / 4])
            weightsToForward = Reorder(from: userWeights, to: fw)
            weightsToBackwardData = Reorder(from: userWeights, to: bw)
            diffWeightsToUser = Reorder(from: dw, to: userWeights)
        }
    }

    /// An fp32 tensor converted to bf16, in a buffer of half as many floats.
    private struct Conversion {
        let reorder: Reorder
        let floats: Int

        init(from: dnnl_memory_desc_t, to: dnnl_memory_desc_t) {
            reorder = Reorder(from: from, to: to)
            floats = (DNNL.bytes(to) + 3) / 4
        }

        func convert(_ x: Tensor) -> Tensor {
            let low = Tensor(uninitialized: [floats])
            reorder.run(from: x.pointer, to: low.pointer)
            return low
        }
    }

    private func plan(_ n: Int) -> Plan {
        if let p = plans[n] { return p }
        let p = Plan(self, batch: n)
        plans[n] = p
        return p
    }
}
