import CDNNL
import CKernels

/// Batch normalization over the last axis (channels) of NHWC images or [N, C] rows: training through mnistbook's own
/// kernels (CKernels/batchnorm.c), inference through oneDNN. Training normalises with the biased batch variance, as Keras does.
public final class BatchNormalization {
    public let channels: Int
    public let epsilon: Float
    private var plans: [[Int]: Plan] = [:]

    public init(channels: Int, epsilon: Float) {
        self.channels = channels
        self.epsilon = epsilon
    }

    // MARK: forward

    /// Training: normalise with this batch's statistics and return them.  x: [N, …, C]
    /// mnistbook's own kernels: one sweep for the statistics, one for the output (oneDNN's training primitive takes more).
    public func forwardTraining(_ x: Tensor, gamma: Tensor, beta: Tensor) -> (y: Tensor, mean: Tensor, variance: Tensor) {
        let c = channels, rows = x.count / c
        let s = statistics(x, gamma: gamma, beta: beta)
        let y = Tensor(uninitialized: x.shape)
        Parallel.forEach(rows, minimumPerThread: BatchNormalization.rowsPerThread(c)) { r in
            mnistbook_bn_affine(x.pointer, y.pointer, c, r.lowerBound, r.upperBound, s.center.pointer, s.scale.pointer, s.shift.pointer)
        }
        return (y, s.mean, s.variance)
    }

    /// This batch's mean and biased variance, and the per-channel affine y = (x − center) · scale + shift that
    /// normalises with them.  x: [N, …, C]; the rest: [C]
    func statistics(_ x: Tensor, gamma: Tensor, beta: Tensor)
        -> (mean: Tensor, variance: Tensor, center: Tensor, scale: Tensor, shift: Tensor) {
        let c = channels, rows = x.count / c
        precondition(x.shape.last == c && gamma.count == c && beta.count == c, "batch norm: \(x.shape) for \(c) channels")
        // Sums of x − (the first row): close to the mean, so the sum of squares does not cancel.
        let center = Tensor(uninitialized: [c])
        center.pointer.update(from: x.pointer, count: c)
        let (sum, squares) = BatchNormalization.sums(rows: rows, channels: c) { begin, end, first, second in
            mnistbook_bn_statistics(x.pointer, c, begin, end, center.pointer, first, second)
        }
        let mean = Tensor(uninitialized: [c]), variance = Tensor(uninitialized: [c])
        let scale = Tensor(uninitialized: [c]), shift = Tensor(uninitialized: [c])
        for k in 0..<c {
            let m = sum[k] / Double(rows), v = max(squares[k] / Double(rows) - m * m, 0)   // biased, as Keras
            mean.pointer[k] = Float(Double(center.pointer[k]) + m)
            variance.pointer[k] = Float(v)
            let s = Double(gamma.pointer[k]) / (v + Double(epsilon)).squareRoot()
            scale.pointer[k] = Float(s)
            shift.pointer[k] = Float(Double(beta.pointer[k]) - m * s)   // y = (x − center) · s + β − (mean − center) · s
        }
        return (mean, variance, center, scale, shift)
    }

    /// Inference: normalise with the moving statistics.
    public func forwardInference(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor) -> Tensor {
        let plan = self.plan(x.shape)
        let y = Tensor(uninitialized: x.shape)
        plan.inference.run([
            (DNNL_ARG_SRC, plan.data, x.pointer), (DNNL_ARG_DST, plan.data2, y.pointer),
            (DNNL_ARG_SCALE, plan.scale, gamma.pointer), (DNNL_ARG_SHIFT, plan.shift, beta.pointer),
            (DNNL_ARG_MEAN, plan.mean, mean.pointer), (DNNL_ARG_VARIANCE, plan.variance, variance.pointer),
        ])
        return y
    }

    // MARK: backward

    /// Gradients through the training-mode normalisation (batch statistics from the forward pass).
    /// With `maskNonPositiveInput` dx is also multiplied by the derivative of a ReLU that produced x (0 where x ≤ 0),
    /// in the same sweep: the layer before then skips its own pass over the gradient.
    public func backward(_ dy: Tensor, x: Tensor, gamma: Tensor, mean: Tensor, variance: Tensor, maskNonPositiveInput: Bool = false)
        -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
        let c = channels, rows = x.count / c
        precondition(dy.count == x.count && x.shape.last == c, "batch norm backward: dy \(dy.shape) for x \(x.shape)")
        let (sumDy, sumDyX) = BatchNormalization.sums(rows: rows, channels: c) { begin, end, first, second in
            mnistbook_bn_gradient_sums(dy.pointer, x.pointer, c, begin, end, mean.pointer, first, second)
        }
        let k = coefficients(sumDy: sumDy, sumDyX: sumDyX, rows: rows, gamma: gamma, variance: variance)
        let dx = Tensor(uninitialized: x.shape)
        Parallel.forEach(rows, minimumPerThread: BatchNormalization.rowsPerThread(c)) { r in
            mnistbook_bn_gradient(dy.pointer, x.pointer, dx.pointer, c, r.lowerBound, r.upperBound, mean.pointer,
                                  k.a.pointer, k.b.pointer, k.d.pointer, maskNonPositiveInput ? 1 : 0)
        }
        return (dx, k.dgamma, k.dbeta)
    }

    /// dγ, dβ and the per-channel a, b, d of dx = a · dy + b · (x − μ) + d from Σ dy and Σ dy · (x − μ) over `rows` rows.
    func coefficients(sumDy: [Double], sumDyX: [Double], rows: Int, gamma: Tensor, variance: Tensor)
        -> (dgamma: Tensor, dbeta: Tensor, a: Tensor, b: Tensor, d: Tensor) {
        let c = channels
        // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)) = a · dy + b · (x − μ) + d,  σ = √(var + ε), x̂ = (x − μ)/σ
        let dgamma = Tensor(uninitialized: [c]), dbeta = Tensor(uninitialized: [c])
        let a = Tensor(uninitialized: [c]), b = Tensor(uninitialized: [c]), d = Tensor(uninitialized: [c])
        let m = Double(rows)
        for k in 0..<c {
            let inverse = 1 / (Double(variance.pointer[k]) + Double(epsilon)).squareRoot(), g = Double(gamma.pointer[k])
            dgamma.pointer[k] = Float(sumDyX[k] * inverse)
            dbeta.pointer[k] = Float(sumDy[k])
            a.pointer[k] = Float(g * inverse)
            b.pointer[k] = Float(-g * inverse * inverse * inverse * sumDyX[k] / m)
            d.pointer[k] = Float(-g * inverse * sumDy[k] / m)
        }
        return (dgamma, dbeta, a, b, d)
    }

    /// Per-channel sums over all rows, each thread into its own pair of arrays, added in a fixed order.
    static func sums(rows: Int, channels c: Int,
                     _ kernel: (Int, Int, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void)
        -> ([Double], [Double]) {
        let sums = Parallel.partSums(rows, minimumPerThread: rowsPerThread(c), width: 2 * c) { r, out in
            kernel(r.lowerBound, r.upperBound, out, out + c)
        }
        return (Array(sums[..<c]), Array(sums[c...]))
    }

    /// A sweep over fewer than 32k values stays on the calling thread: waking the team costs more.
    static func rowsPerThread(_ channels: Int) -> Int { max(1, 32_768 / channels) }

    // MARK: the inference primitive per input shape

    private final class Plan {
        let inference: Primitive
        let data, data2, scale, shift, mean, variance: Memory

        init(shape: [Int], channels: Int, epsilon: Float) {
            // oneDNN's logical order is N, C, spatial…; channels-last is the nhwc / nc tag.
            let dims: [Int], tag: dnnl_format_tag_t
            if shape.count == 4 { dims = [shape[0], shape[3], shape[1], shape[2]]; tag = dnnl_nhwc }
            else { dims = [shape[0], shape[1]]; tag = dnnl_nc }
            var md = DNNL.desc(dims, tag)
            let flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue | dnnl_use_global_stats.rawValue
            var id = dnnl_batch_normalization_desc_t()
            DNNL.check(dnnl_batch_normalization_forward_desc_init(&id, dnnl_forward_inference, &md, epsilon, flags), "bn inference")
            inference = Primitive(&id, name: "batch norm inference")
            data = Memory(md); data2 = Memory(md)
            let vec = DNNL.desc([channels], dnnl_a)
            scale = Memory(vec); shift = Memory(vec); mean = Memory(vec); variance = Memory(vec)
        }
    }

    private func plan(_ shape: [Int]) -> Plan {
        if let p = plans[shape] { return p }
        let p = Plan(shape: shape, channels: channels, epsilon: epsilon)
        plans[shape] = p
        return p
    }
}
