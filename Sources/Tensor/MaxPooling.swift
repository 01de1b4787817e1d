import CDNNL
import CKernels

/// 2-D max pooling over NHWC images with a square window; the stride defaults to the window and the padding to
/// valid (Keras' defaults). "Same" padding follows TensorFlow (output ceil(input / stride), the odd pixel
/// bottom/right); padded positions never win the max.
public final class MaxPooling {
    public let pool: Int
    public let stride: Int
    public let height: Int, width: Int, channels: Int
    public let outputHeight: Int, outputWidth: Int
    let padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    private var plans: [Int: Plan] = [:]

    public init(height: Int, width: Int, channels: Int, pool: Int, stride: Int? = nil, samePadding: Bool = false) {
        self.height = height; self.width = width; self.channels = channels; self.pool = pool
        self.stride = stride ?? pool
        let (oh, pt, pb) = Convolution.outputSize(height, pool, self.stride, samePadding)
        let (ow, pl, pr) = Convolution.outputSize(width, pool, self.stride, samePadding)
        outputHeight = oh; outputWidth = ow
        padTop = pt; padBottom = pb; padLeft = pl; padRight = pr
    }

    /// 2×2 windows, stride 2, even sizes (the reference CNN's pools; "same" padding adds nothing there): mnistbook's own
    /// kernels run them, in training (the winner of each window kept as a byte, every input gradient written once, where
    /// oneDNN's clears the gradient first) and in the inference network.
    public static func ownKernelsFit(pool: Int, stride: Int, height: Int, width: Int) -> Bool {
        pool == 2 && stride == 2 && height % 2 == 0 && width % 2 == 0
    }

    var ownKernels: Bool { MaxPooling.ownKernelsFit(pool: pool, stride: stride, height: height, width: width) }

    // MARK: forward

    /// x: [N, H, W, C] → y: [N, H/p, W/p, C]; in training also the workspace (argmax positions) backward needs.
    public func forward(_ x: Tensor, training: Bool) -> (y: Tensor, workspace: Tensor?) {
        let n = x.shape[0]
        precondition(x.shape == [n, height, width, channels], "max pool: input \(x.shape)")
        if training && ownKernels {
            let y = Tensor(uninitialized: [n, outputHeight, outputWidth, channels])
            let bytes = y.count
            let ws = Tensor(uninitialized: [(bytes + 3) / 4])
            ws.pointer.withMemoryRebound(to: UInt8.self, capacity: bytes) { which in
                Parallel.forEach(n * outputHeight, minimumPerThread: rowsPerThread) { r in
                    mnistbook_maxpool2_forward(x.pointer, y.pointer, which, height, width, channels, r.lowerBound, r.upperBound)
                }
            }
            return (y, ws)
        }
        let plan = self.plan(n)
        let y = Tensor(uninitialized: [n, outputHeight, outputWidth, channels])
        if training {
            let ws = Tensor(uninitialized: [plan.workspaceFloats])
            plan.training.run([(DNNL_ARG_SRC, plan.src, x.pointer), (DNNL_ARG_DST, plan.dst, y.pointer),
                               (DNNL_ARG_WORKSPACE, plan.workspace, ws.pointer)])
            return (y, ws)
        }
        plan.inference.run([(DNNL_ARG_SRC, plan.src, x.pointer), (DNNL_ARG_DST, plan.dst, y.pointer)])
        return (y, nil)
    }

    // MARK: backward

    /// Routes each output gradient to the input position that won the max.
    public func backward(_ dy: Tensor, workspace: Tensor) -> Tensor {
        let n = dy.shape[0]
        precondition(dy.shape == [n, outputHeight, outputWidth, channels], "max pool backward: gradient \(dy.shape)")
        let dx = Tensor(uninitialized: [n, height, width, channels])
        if ownKernels {
            precondition(workspace.count == (dy.count + 3) / 4, "max pool backward: workspace of \(workspace.count)")
            workspace.pointer.withMemoryRebound(to: UInt8.self, capacity: dy.count) { which in
                Parallel.forEach(n * outputHeight, minimumPerThread: rowsPerThread) { r in
                    mnistbook_maxpool2_backward(dy.pointer, which, dx.pointer, height, width, channels, r.lowerBound, r.upperBound)
                }
            }
            return dx
        }
        let plan = self.plan(n)
        plan.backward.run([(DNNL_ARG_DIFF_DST, plan.dst, dy.pointer), (DNNL_ARG_WORKSPACE, plan.workspace, workspace.pointer),
                           (DNNL_ARG_DIFF_SRC, plan.src, dx.pointer)])
        return dx
    }

    /// Output rows per thread: a pass over fewer than 32k input values stays on the calling thread.
    var rowsPerThread: Int { max(1, 32_768 / (2 * width * channels)) }

    private final class Plan {
        let training, inference, backward: Primitive
        let src, dst, workspace: Memory
        let workspaceFloats: Int

        init(_ p: MaxPooling, batch n: Int) {
            var s = DNNL.desc([n, p.channels, p.height, p.width], dnnl_nhwc)
            var d = DNNL.desc([n, p.channels, p.outputHeight, p.outputWidth], dnnl_nhwc)
            let strides = DNNL.dims([p.stride, p.stride]), kernel = DNNL.dims([p.pool, p.pool])
            let pad = DNNL.dims([p.padTop, p.padLeft]), padR = DNNL.dims([p.padBottom, p.padRight])
            var td = dnnl_pooling_desc_t()
            DNNL.check(dnnl_pooling_forward_desc_init(&td, dnnl_forward_training, dnnl_pooling_max, &s, &d, strides, kernel, pad, padR), "pool fwd")
            training = Primitive(&td, name: "max pool training")
            var id = dnnl_pooling_desc_t()
            DNNL.check(dnnl_pooling_forward_desc_init(&id, dnnl_forward_inference, dnnl_pooling_max, &s, &d, strides, kernel, pad, padR), "pool inf")
            inference = Primitive(&id, name: "max pool inference")
            var bd = dnnl_pooling_desc_t()
            DNNL.check(dnnl_pooling_backward_desc_init(&bd, dnnl_pooling_max, &s, &d, strides, kernel, pad, padR), "pool bwd")
            backward = Primitive(&bd, hint: training, name: "max pool backward")
            src = Memory(s); dst = Memory(d)
            let ws = training.desc(dnnl_query_workspace_md)
            workspace = Memory(ws)
            // The workspace may hold bytes or ints; size it in floats, rounded up.
            workspaceFloats = (DNNL.bytes(ws) + 3) / 4
        }
    }

    private func plan(_ n: Int) -> Plan {
        if let p = plans[n] { return p }
        let p = Plan(self, batch: n)
        plans[n] = p
        return p
    }
}
