import CDNNL
import CKernels

/// One step of an inference network, its weights already in final form (batch norm folded in by the caller).
public enum InferenceStep {
    /// y = act(x ⊛ w + b), then · scale + shift per channel when given.  w: [k, k, Ci, Co] (HWIO)
    case convolution(weights: Tensor, bias: Tensor?, stride: Int, samePadding: Bool,
                     activation: ActivationFunction, scale: Tensor?, shift: Tensor?)
    /// Max pooling; same padding as TensorFlow's (the odd pixel bottom/right, padded positions never win).
    case maxPool(pool: Int, stride: Int, samePadding: Bool)
    /// Each channel's mean over the image: [H, W, C] → [C].
    case globalAveragePool
    /// relu(main(x) + shortcut(x)), an empty shortcut being the identity (a residual block, batch norms folded).
    case residual(main: [InferenceStep], shortcut: [InferenceStep])
    /// y = act(x · w + b), then · scale + shift per unit when given; x is the image flattened.  w: [in, units]
    case dense(weights: Tensor, bias: Tensor?, activation: ActivationFunction, scale: Tensor?, shift: Tensor?)
    /// y = x · scale + shift per channel (the last axis).
    case scaleShift(scale: Tensor, shift: Tensor)
}

/// A network for inference only. Each thread owns a chain of oneDNN primitives created for batch 1 on one thread
/// (weights reordered once, activation and per-channel affine fused as post-ops) and of mnistbook's own kernels
/// (conv1, Winograd 3×3 convolutions, pooling), so a single image never wakes the OpenMP team. The dense layers at
/// the end run on up to `group` images' rows at once (one read of their weights for several images) through a kernel
/// that sums each output in one fixed order, so an image gives the same bits alone or inside any batch.
public final class InferenceNetwork {
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// Run one image at a time (convolutions, pools, residual blocks), then on rows of `group` images (dense layers).
    private let imageSteps: [InferenceStep], rowSteps: [InferenceStep]
    private var chains: [Chain] = []
    /// Images whose dense layers run together: the kernel reads the weights once for all 8.
    static let group = 8

    /// Validates the steps against `inputShape` (per image, e.g. [28, 28, 1]).
    public init(inputShape: [Int], steps: [InferenceStep]) {
        self.inputShape = inputShape
        var shape = inputShape
        for step in steps { shape = InferenceNetwork.shape(after: step, from: shape) }
        outputShape = shape
        // The longest tail of dense layers (and per-channel affine maps) runs on rows; it needs a dense layer to gain.
        var tail = steps.count
        while tail > 0, steps[tail - 1].runsOnRows { tail -= 1 }
        if !steps[tail...].contains(where: { if case .dense = $0 { return true } else { return false } }) { tail = steps.count }
        imageSteps = Array(steps[..<tail])
        rowSteps = Array(steps[tail...])
    }

    static func shape(after step: InferenceStep, from s: [Int]) -> [Int] {
        switch step {
        case let .convolution(w, _, stride, same, _, _, _):
            precondition(s.count == 3 && w.shape.count == 4 && w.shape[2] == s[2], "inference: convolution \(w.shape) on \(s)")
            let (oh, _, _) = Convolution.outputSize(s[0], w.shape[0], stride, same)
            let (ow, _, _) = Convolution.outputSize(s[1], w.shape[1], stride, same)
            return [oh, ow, w.shape[3]]
        case let .maxPool(p, stride, same):
            precondition(s.count == 3 && (same || (s[0] >= p && s[1] >= p)), "inference: pool \(p) on \(s)")
            return [Convolution.outputSize(s[0], p, stride, same).0, Convolution.outputSize(s[1], p, stride, same).0, s[2]]
        case .globalAveragePool:
            precondition(s.count == 3, "inference: global average pool on \(s)")
            return [s[2]]
        case let .residual(main, shortcut):
            let out = main.reduce(s) { shape(after: $1, from: $0) }
            precondition(out == shortcut.reduce(s) { shape(after: $1, from: $0) }, "inference: residual paths disagree on \(s)")
            return out
        case let .dense(w, _, _, _, _):
            precondition(w.shape.count == 2 && w.shape[0] == s.reduce(1, *), "inference: dense \(w.shape) on \(s)")
            return [w.shape[1]]
        case .scaleShift:
            return s
        }
    }

    /// Outputs for a batch.  x: [N] + inputShape → [N] + outputShape
    public func forward(_ x: Tensor) -> Tensor {
        precondition(Array(x.shape.dropFirst()) == inputShape, "inference: input \(x.shape), expected [N] + \(inputShape)")
        let inSize = inputShape.reduce(1, *)
        return run(count: x.shape[0]) { _, start, _ in x.pointer + start * inSize }
    }

    /// Outputs for `count` images of `pixels` from image `first` on, each normalised as byte · scale + shift (the bits
    /// `ImageBatch.gather` gives), all in one parallel region: each thread normalises the images of the groups it takes,
    /// so no thread waits while a batch is gathered, and the threads meet once at the end instead of once per batch.
    /// pixels: [total] + inputShape bytes → [count] + outputShape
    public func forward(pixels: [UInt8], first: Int, count: Int, scale: Float, shift: Float) -> Tensor {
        let inSize = inputShape.reduce(1, *)
        precondition(first >= 0 && count >= 0 && pixels.count / max(inSize, 1) >= first + count,
                     "inference: images \(first)..<\(first + count) of \(pixels.count / max(inSize, 1))")
        return pixels.withUnsafeBufferPointer { bytes in
            run(count: count) { chain, start, rows in
                let destination = chain.inputs.pointer
                for i in 0..<rows {
                    ImageBatch.normalise(bytes.baseAddress! + (first + start + i) * inSize, into: destination + i * inSize,
                                         count: inSize, scale: scale, shift: shift)
                }
                return destination
            }
        }
    }

    /// Runs `n` images in groups; `input(chain, start, rows)` gives the floats of images start..<start + rows.
    private func run(count n: Int, input: (Chain, Int, Int) -> UnsafeMutablePointer<Float>) -> Tensor {
        if chains.isEmpty {
            // Created on one thread, so oneDNN plans every kernel for a single thread.
            chains = Threads.onCallingThread {
                (0..<Threads.count).map { _ in Chain(inputShape: inputShape, imageSteps: imageSteps, rowSteps: rowSteps) }
            }
        }
        let y = Tensor(uninitialized: [n] + outputShape)
        let outSize = outputShape.reduce(1, *)
        guard n > 0 else { return y }
        // Groups of up to `group` images; a batch of a few is split so that every thread gets some.
        let group = min(InferenceNetwork.group, (n + Threads.count - 1) / Threads.count), groups = (n + group - 1) / group
        func run(_ chain: Chain, _ g: Int) {
            let start = g * group, rows = min(group, n - start)
            chain.run(input(chain, start, rows), y.pointer + start * outSize, count: rows)
        }
        if n == 1 {
            Threads.onCallingThread { run(chains[0], 0) }
        } else {
            // Each thread takes the next group until none is left: a thread the machine slows down does fewer groups,
            // instead of the others waiting at the end for its fixed share.
            var next = 0
            withUnsafeMutablePointer(to: &next) { counter in
                Parallel.forEach(min(groups, Threads.count), minimumPerThread: 1) { _ in
                    let chain = self.chains[Int(omp_get_thread_num())]
                    while true {
                        let g = mnistbook_take_next(counter)
                        if g >= groups { break }
                        run(chain, g)
                    }
                }
            }
        }
        return y
    }

    /// One thread's primitives and buffers: images through `imageSteps` one by one into rows, then `rowSteps` on the rows.
    private final class Chain {
        let images: ImageChain
        let rows: [(UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void]
        /// [group, width] after each row step but the last, which writes the caller's destination.
        let rowBuffers: [Tensor]
        /// [group, width] the image steps' outputs, when there are image steps and row steps.
        let features: Tensor?
        let inSize: Int, featureSize: Int, outSize: Int
        /// [group] + inputShape: images normalised from bytes (`forward(pixels:…)`).
        let inputs: Tensor

        init(inputShape: [Int], imageSteps: [InferenceStep], rowSteps: [InferenceStep]) {
            // The first dense layer's weights (dense1's 1.6 MB in the reference CNN) are fetched into L2 while the
            // convolutions compute, instead of streaming from L3 once the images' steps pushed them out: one image
            // 0.093–0.095 → 0.089–0.090 ms in `mnistbook bench` (bench/c/winograd_chain.c has the steps' times).
            let dense = rowSteps.lazy.compactMap { step -> Tensor? in
                if case let .dense(w, _, _, _, _) = step { return w } else { return nil }
            }.first
            images = ImageChain(inputShape: inputShape, steps: imageSteps, prefetch: dense)
            var shape = imageSteps.reduce(inputShape) { InferenceNetwork.shape(after: $1, from: $0) }
            inSize = inputShape.reduce(1, *)
            inputs = Tensor(zeros: [InferenceNetwork.group, inSize])
            featureSize = shape.reduce(1, *)
            features = !imageSteps.isEmpty && !rowSteps.isEmpty ? Tensor(zeros: [InferenceNetwork.group, featureSize]) : nil
            var rows: [(UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void] = []
            var buffers: [Tensor] = []
            for (index, step) in rowSteps.enumerated() {
                let out = InferenceNetwork.shape(after: step, from: shape)
                rows.append(InferenceNetwork.rowKernel(step, input: shape))
                if index < rowSteps.count - 1 { buffers.append(Tensor(zeros: [InferenceNetwork.group, out.reduce(1, *)])) }
                shape = out
            }
            self.rows = rows
            rowBuffers = buffers
            outSize = shape.reduce(1, *)
        }

        /// `count` (≤ group) images from x into y.
        func run(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
            guard !rows.isEmpty else {
                for i in 0..<count { images.run(x + i * inSize, y + i * outSize) }
                return
            }
            var source = x, width = inSize
            if let features {
                for i in 0..<count { images.run(x + i * inSize, features.pointer + i * featureSize) }
                source = features.pointer
                width = featureSize
            }
            for (i, kernel) in rows.enumerated() {
                let destination = i < rowBuffers.count ? rowBuffers[i].pointer : y
                let out = i < rowBuffers.count ? rowBuffers[i].shape[1] : outSize
                kernel(source, width, destination, out, count)
                source = destination
                width = out
            }
        }
    }

    /// One thread's primitives, memories and intermediate buffers for one image.
    private final class ImageChain {
        let kernels: [(UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void]
        /// Step i writes into buffers[i % 2], the last into the caller's destination (or, with `ownOutput`, a buffer too):
        /// two buffers instead of one per step keep less of the cache busy, so more of dense1's 1.6 MB of weights stays
        /// in the core's L2 between images (bench/c/dense_cache.c: its time grows with every 100 KB touched in between).
        let buffers: [Tensor]
        /// How many steps write into `buffers`.
        let buffered: Int
        /// With `ownOutput` (a residual path), the buffer the last step writes, instead of the caller's destination.
        let output: Tensor?

        init(inputShape: [Int], steps: [InferenceStep], ownOutput: Bool = false, prefetch: Tensor? = nil) {
            var shapes = [inputShape]
            for step in steps { shapes.append(InferenceNetwork.shape(after: step, from: shapes.last!)) }
            // The Winograd steps run one after another, so they share one scratch (less of the L2 busy), and split the
            // prefetch in proportion to their multiply-adds, in order.
            let winograd = steps.indices.filter { InferenceNetwork.runsWinograd(steps[$0], input: shapes[$0], output: shapes[$0 + 1]) }
            let scratch = winograd.isEmpty ? nil : Tensor(zeros: [winograd.map {
                WinogradConvolution.scratchCount(inputChannels: shapes[$0][2], outputChannels: shapes[$0 + 1][2])
            }.max()!])
            let work = winograd.map { i in
                WinogradConvolution.products(height: shapes[i][0], width: shapes[i][1], inputChannels: shapes[i][2],
                                             outputChannels: shapes[i + 1][2])
            }
            let ranges = Dictionary(uniqueKeysWithValues: zip(winograd, InferenceNetwork.proportionalRanges(count: prefetch?.count ?? 0,
                                                                                                   weights: work)))
            var kernels: [(UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void] = []
            for (i, step) in steps.enumerated() {
                kernels.append(InferenceNetwork.kernel(step, input: shapes[i], output: shapes[i + 1], scratch: scratch,
                                                       prefetch: prefetch.flatMap { p in ranges[i].map { (p, $0) } }))
            }
            let sizes = shapes.dropFirst().map { $0.reduce(1, *) }
            self.kernels = kernels
            let buffered = ownOutput ? steps.count : max(steps.count - 1, 0)
            self.buffered = buffered
            buffers = (0..<min(2, buffered)).map { parity in
                Tensor(zeros: [stride(from: parity, to: buffered, by: 2).map { sizes[$0] }.max()!])
            }
            output = ownOutput && buffered > 0 ? buffers[(buffered - 1) % 2] : nil
        }

        /// y nil: into `output` (a chain made with `ownOutput`).
        func run(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>?) {
            var source = x
            for (i, kernel) in kernels.enumerated() {
                let destination = i < buffered ? buffers[i % 2].pointer : y!
                kernel(source, destination)
                source = destination
            }
        }
    }

    /// 0..<count cut into consecutive ranges in proportion to `weights`, in order. In Double: a model that passes `check`
    /// can make count × weight exceed Int (a 2 GB dense layer after convolutions of 10¹³ multiply-adds).
    static func proportionalRanges(count: Int, weights: [Int]) -> [Range<Int>] {
        let total = weights.reduce(0.0) { $0 + Double($1) }
        guard total > 0 else { return weights.map { _ in 0..<0 } }
        var done = 0, sum = 0.0
        return weights.map { weight in
            sum += Double(weight)
            let end = min(max(Int((Double(count) * (sum / total)).rounded(.down)), done), count)
            defer { done = end }
            return done..<end
        }
    }

    /// Whether a step runs on mnistbook's Winograd kernel (3×3 stride-1 convolutions with 16k channels, ReLU or linear).
    static func runsWinograd(_ step: InferenceStep, input s: [Int], output o: [Int]) -> Bool {
        guard case let .convolution(w, _, stride, _, activation, _, _) = step else { return false }
        return WinogradConvolution.fits(inputChannels: s[2], outputChannels: o[2], kernel: Array(w.shape[0..<2]), stride: stride,
                                        output: o) && (activation == .relu || activation == .linear)
    }

    /// The kernel of one step for one image, as a function from source to destination pointer; a Winograd step uses
    /// `scratch` when given (else its own) and prefetches `prefetch`'s range while it computes.
    static func kernel(_ step: InferenceStep, input s: [Int], output o: [Int], scratch: Tensor? = nil,
                       prefetch: (Tensor, Range<Int>)? = nil) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void {
        switch step {
        case let .convolution(w, b, stride, same, activation, scale, shift):
            let k = w.shape[0]
            let (_, pt, pb) = Convolution.outputSize(s[0], k, stride, same)
            let (_, pl, pr) = Convolution.outputSize(s[1], k, stride, same)
            if Convolution.ownKernelsFit(inputChannels: s[2], outputChannels: o[2], kernelSize: k, stride: stride),
               activation == .relu || activation == .linear {
                // One input channel (conv1 on grey images): mnistbook's own kernel, about 4 µs an image for the reference
                // CNN's conv1 against 7.5–8.8 µs for oneDNN's primitive (bench/c/conv1_step.cpp).
                let (h, width, oh, ow, co) = (s[0], s[1], o[0], o[1], o[2]), relu: Int32 = activation == .relu ? 1 : 0
                return { x, y in
                    withExtendedLifetime((w, b, scale, shift)) {
                        mnistbook_conv1_forward(x, w.pointer, b?.pointer, relu, scale?.pointer, shift?.pointer, y, h, width, k,
                                                pt, pl, oh, ow, co, 0, 1)
                    }
                }
            }
            if runsWinograd(step, input: s, output: o) {
                // 3×3 stride 1 with 16k channels (the reference CNN's conv2 and conv3): mnistbook's Winograd F(2,3), 2.25×
                // fewer multiplies than oneDNN's direct kernel, which already ran them at the core's peak
                // (bench/c/winograd_conv.cpp: conv2 41 → 24 µs, conv3 20 → 14 µs an image).
                let winograd = WinogradConvolution(height: s[0], width: s[1], weights: w, bias: b, samePadding: same,
                                                   relu: activation == .relu, scale: scale, shift: shift, scratch: scratch,
                                                   prefetch: prefetch.map { (tensor: $0.0, floats: $0.1) })
                return { x, y in winograd.run(x, y) }
            }
            var src = DNNL.desc([1, s[2], s[0], s[1]], dnnl_nhwc), dst = DNNL.desc([1, o[2], o[0], o[1]], dnnl_nhwc)
            let user = DNNL.desc([o[2], s[2], k, k], dnnl_hwio)
            var wAny = DNNL.desc([o[2], s[2], k, k], dnnl_format_tag_any)
            var bias = b != nil ? DNNL.desc([o[2]], dnnl_a) : dnnl_memory_desc_t()
            var d = dnnl_convolution_desc_t()
            DNNL.check(dnnl_convolution_forward_desc_init(&d, dnnl_forward_inference, dnnl_convolution_direct, &src, &wAny, &bias, &dst,
                                                          DNNL.dims([stride, stride]), DNNL.dims([pt, pl]), DNNL.dims([pb, pr])), "conv inference desc")
            let perChannel = DNNL.desc([1, o[2], 1, 1], dnnl_nhwc)
            return fused(&d, activation: activation, scale: scale, shift: shift, perChannel: perChannel, name: "convolution inference",
                         user: user, weights: w, bias: b, src: src, dst: dst)
        case let .maxPool(p, stride, same):
            if MaxPooling.ownKernelsFit(pool: p, stride: stride, height: s[0], width: s[1]) {
                // 2×2 windows tiling an even image: one plain loop, about 2.0 and 0.85 µs
                // for the reference CNN's pools against 5.2 and 3.1 µs for oneDNN's per-image primitive and its call.
                let (h, w, c) = (s[0], s[1], s[2])
                return { x, y in mnistbook_maxpool2_image(x, y, h, w, c) }
            }
            var src = DNNL.desc([1, s[2], s[0], s[1]], dnnl_nhwc), dst = DNNL.desc([1, o[2], o[0], o[1]], dnnl_nhwc)
            let (_, pt, pb) = Convolution.outputSize(s[0], p, stride, same)
            let (_, pl, pr) = Convolution.outputSize(s[1], p, stride, same)
            var d = dnnl_pooling_desc_t()
            DNNL.check(dnnl_pooling_forward_desc_init(&d, dnnl_forward_inference, dnnl_pooling_max, &src, &dst,
                                                      DNNL.dims([stride, stride]), DNNL.dims([p, p]),
                                                      DNNL.dims([pt, pl]), DNNL.dims([pb, pr])), "pool inference desc")
            let primitive = Primitive(&d, attr: userScratchpad(), name: "max pool inference")
            let scratch = Scratchpad(primitive)
            let bound = BoundPrimitive(primitive, source: src, destination: dst, fixed: scratch.args, owned: scratch)
            return { x, y in bound.run(x, y) }
        case .globalAveragePool:
            let channels = s[2], pixels = s[0] * s[1], scale = 1 / Float(pixels)
            return { x, y in
                for c in 0..<channels { y[c] = 0 }
                for p in 0..<pixels {
                    for c in 0..<channels { y[c] += x[p * channels + c] }
                }
                for c in 0..<channels { y[c] *= scale }
            }
        case let .residual(main, shortcut):
            // Each path runs into buffers of its own (this chain's, so no other thread touches them).
            let mainPath = ImageChain(inputShape: s, steps: main, ownOutput: true)
            let skipPath = ImageChain(inputShape: s, steps: shortcut, ownOutput: true)
            let count = o.reduce(1, *)
            return { x, y in
                mainPath.run(x, nil)
                let a = mainPath.output!.pointer
                if shortcut.isEmpty {
                    for i in 0..<count { y[i] = max(a[i] + x[i], 0) }
                } else {
                    skipPath.run(x, nil)
                    let b = skipPath.output!.pointer
                    for i in 0..<count { y[i] = max(a[i] + b[i], 0) }
                }
            }
        case let .scaleShift(scale, shift):
            let channels = s.last!, pixels = s.reduce(1, *) / channels
            return { x, y in
                for p in 0..<pixels {
                    for c in 0..<channels { y[p * channels + c] = x[p * channels + c] * scale.pointer[c] + shift.pointer[c] }
                }
            }
        case .dense:
            preconditionFailure("inference: dense layers run on rows (rowKernel)")
        }
    }

    /// The kernel of a dense or affine step on `rows` images' rows: (x, x's row length, y, y's row length, rows).
    static func rowKernel(_ step: InferenceStep, input s: [Int])
        -> (UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void {
        switch step {
        case let .dense(w, b, activation, scale, shift):
            let inputs = w.shape[0], units = w.shape[1]
            return { x, ldx, y, ldy, rows in
                withExtendedLifetime((w, b, scale, shift)) {
                    mnistbook_dense_rows(x, ldx, rows, w.pointer, inputs, units, y, ldy)
                    for r in 0..<rows {
                        let row = y + r * ldy
                        // The order of the fused path: bias, activation, then · scale + shift.
                        for u in 0..<units {
                            var v = row[u] + (b.map { $0.pointer[u] } ?? 0)
                            v = Activations.apply(activation, v)
                            if let scale { v *= scale.pointer[u] }
                            if let shift { v += shift.pointer[u] }
                            row[u] = v
                        }
                        if activation == .softmax { Activations.softmax(row, count: units) }
                    }
                }
            }
        case let .scaleShift(scale, shift):
            let channels = s.last!, pixels = s.reduce(1, *) / channels
            return { x, ldx, y, ldy, rows in
                withExtendedLifetime((scale, shift)) {
                    for r in 0..<rows {
                        let a = x + r * ldx, c = y + r * ldy
                        for p in 0..<pixels {
                            for k in 0..<channels { c[p * channels + k] = a[p * channels + k] * scale.pointer[k] + shift.pointer[k] }
                        }
                    }
                }
            }
        default:
            preconditionFailure("inference: \(step) does not run on rows")
        }
    }

    /// A convolution with the activation and per-channel affine map as post-ops, its weights
    /// reordered once into the layout the primitive chose.
    private static func fused(_ desc: UnsafeRawPointer, activation: ActivationFunction, scale: Tensor?, shift: Tensor?,
                              perChannel: dnnl_memory_desc_t, name: String, user: dnnl_memory_desc_t, weights w: Tensor,
                              bias b: Tensor?, src: dnnl_memory_desc_t, dst: dnnl_memory_desc_t)
        -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void {
        let attr = userScratchpad()
        var ops: dnnl_post_ops_t?
        DNNL.check(dnnl_post_ops_create(&ops), "post_ops")
        defer { dnnl_post_ops_destroy(ops) }
        var count: Int32 = 0
        var extra: [(Int32, Memory, UnsafeMutablePointer<Float>)] = []
        if let alg = eltwise(activation) {
            DNNL.check(dnnl_post_ops_append_eltwise(ops, 1, alg, 0, 0), "post_ops eltwise")
            count += 1
        }
        for (operand, alg) in [(scale, dnnl_binary_mul), (shift, dnnl_binary_add)] {
            guard let operand else { continue }
            var md = perChannel
            DNNL.check(dnnl_post_ops_append_binary(ops, alg, &md), "post_ops binary")
            // DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1
            extra.append((DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (count + 1) | DNNL_ARG_SRC_1, Memory(md), operand.pointer))
            count += 1
        }
        DNNL.check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post_ops")
        let primitive = Primitive(desc, attr: attr, name: name)
        dnnl_primitive_attr_destroy(attr)
        let scratch = Scratchpad(primitive)
        let chosen = primitive.desc(dnnl_query_weights_md)
        let reordered = Tensor(zeros: [(DNNL.bytes(chosen) + 3) / 4])
        Reorder(from: user, to: chosen).run(from: w.pointer, to: reordered.pointer)
        var fixed = extra + scratch.args + [(DNNL_ARG_WEIGHTS, Memory(chosen), reordered.pointer)]
        if let b { fixed.append((DNNL_ARG_BIAS, Memory(DNNL.desc([b.count], dnnl_a)), b.pointer)) }
        let bound = BoundPrimitive(primitive, source: src, destination: dst, fixed: fixed, owned: (reordered, scratch, scale, shift, b))
        return { x, y in bound.run(x, y) }
    }

    private static func eltwise(_ f: ActivationFunction) -> dnnl_alg_kind_t? {
        switch f {
        case .relu: return dnnl_eltwise_relu
        case .sigmoid: return dnnl_eltwise_logistic
        case .tanh: return dnnl_eltwise_tanh
        case .linear, .softmax: return nil
        }
    }

    /// Each chain brings its own scratchpad, so two threads never share oneDNN's.
    private static func userScratchpad() -> dnnl_primitive_attr_t? {
        var attr: dnnl_primitive_attr_t?
        DNNL.check(dnnl_primitive_attr_create(&attr), "attr")
        DNNL.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode")
        return attr
    }

    /// A primitive whose weights, bias, scratchpad and post-op operands are bound once: a call binds only its source
    /// and destination and builds no argument list.
    private final class BoundPrimitive {
        let primitive: Primitive
        let source: Memory, destination: Memory
        let memories: [Memory]
        let arguments: [dnnl_exec_arg_t]
        /// Every buffer the fixed arguments point into.
        let owned: Any

        init(_ primitive: Primitive, source: dnnl_memory_desc_t, destination: dnnl_memory_desc_t,
             fixed: [(Int32, Memory, UnsafeMutablePointer<Float>)], owned: Any) {
            self.primitive = primitive
            self.source = Memory(source)
            self.destination = Memory(destination)
            for (_, memory, pointer) in fixed { memory.bind(pointer) }
            memories = fixed.map(\.1)
            arguments = [dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: self.source.handle),
                         dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: self.destination.handle)]
                + fixed.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) }
            self.owned = owned
        }

        func run(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
            source.bind(x)
            destination.bind(y)
            arguments.withUnsafeBufferPointer { args in
                DNNL.check(dnnl_primitive_execute(primitive.primitive, DNNL.stream, Int32(args.count), args.baseAddress), "primitive_execute")
            }
            DNNL.check(dnnl_stream_wait(DNNL.stream), "stream_wait")
        }
    }

    private struct Scratchpad {
        let args: [(Int32, Memory, UnsafeMutablePointer<Float>)]
        let buffer: Tensor

        init(_ p: Primitive) {
            let md = p.desc(dnnl_query_scratchpad_md)
            buffer = Tensor(zeros: [(DNNL.bytes(md) + 3) / 4])
            args = DNNL.bytes(md) > 0 ? [(DNNL_ARG_SCRATCHPAD, Memory(md), buffer.pointer)] : []
        }
    }
}

extension InferenceStep {
    /// Dense layers and per-channel affine maps work on flat rows, so several images can share one call.
    var runsOnRows: Bool {
        switch self {
        case .dense, .scaleShift: return true
        default: return false
        }
    }
}
