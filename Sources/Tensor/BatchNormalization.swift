import CDNNL

/// Batch normalization over the last axis (channels) of NHWC images or [N, C] rows, through oneDNN.
/// oneDNN normalises with the biased batch variance, as Keras does in training.
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
    public func forwardTraining(_ x: Tensor, gamma: Tensor, beta: Tensor) -> (y: Tensor, mean: Tensor, variance: Tensor) {
        let plan = self.plan(x.shape)
        let y = Tensor(uninitialized: x.shape)
        let mean = Tensor(uninitialized: [channels]), variance = Tensor(uninitialized: [channels])
        plan.training.run(plan.arguments(x, gamma, beta, mean, variance) + [(DNNL_ARG_DST, plan.data2, y.pointer)])
        return (y, mean, variance)
    }

    /// Inference: normalise with the moving statistics.
    public func forwardInference(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor) -> Tensor {
        let plan = self.plan(x.shape)
        let y = Tensor(uninitialized: x.shape)
        plan.inference.run(plan.arguments(x, gamma, beta, mean, variance) + [(DNNL_ARG_DST, plan.data2, y.pointer)])
        return y
    }

    // MARK: backward

    /// Gradients through the training-mode normalisation (batch statistics from the forward pass).
    /// oneDNN asks for β here too, although the gradients do not depend on it.
    public func backward(_ dy: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor)
        -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
        let plan = self.plan(x.shape)
        let dx = Tensor(uninitialized: x.shape)
        let dgamma = Tensor(uninitialized: [channels]), dbeta = Tensor(uninitialized: [channels])
        plan.backward.run(plan.arguments(x, gamma, beta, mean, variance) + [
            (DNNL_ARG_DIFF_DST, plan.data2, dy.pointer), (DNNL_ARG_DIFF_SRC, plan.data3, dx.pointer),
            (DNNL_ARG_DIFF_SCALE, plan.diffScale, dgamma.pointer), (DNNL_ARG_DIFF_SHIFT, plan.diffShift, dbeta.pointer),
        ])
        return (dx, dgamma, dbeta)
    }

    // MARK: primitives per input shape

    private final class Plan {
        let training, inference, backward: Primitive
        let data, data2, data3, scale, shift, mean, variance, diffScale, diffShift: Memory

        init(shape: [Int], channels: Int, epsilon: Float) {
            // oneDNN's logical order is N, C, spatial…; channels-last is the nhwc / nc tag.
            let dims: [Int], tag: dnnl_format_tag_t
            if shape.count == 4 { dims = [shape[0], shape[3], shape[1], shape[2]]; tag = dnnl_nhwc }
            else { dims = [shape[0], shape[1]]; tag = dnnl_nc }
            var md = DNNL.desc(dims, tag)
            let flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
            var td = dnnl_batch_normalization_desc_t()
            DNNL.check(dnnl_batch_normalization_forward_desc_init(&td, dnnl_forward_training, &md, epsilon, flags), "bn fwd")
            training = Primitive(&td, name: "batch norm training")
            var id = dnnl_batch_normalization_desc_t()
            DNNL.check(dnnl_batch_normalization_forward_desc_init(&id, dnnl_forward_inference, &md, epsilon,
                                                                  flags | dnnl_use_global_stats.rawValue), "bn inference")
            inference = Primitive(&id, name: "batch norm inference")
            var bd = dnnl_batch_normalization_desc_t()
            var dmd = md
            DNNL.check(dnnl_batch_normalization_backward_desc_init(&bd, dnnl_backward, &dmd, &md, epsilon, flags), "bn bwd")
            backward = Primitive(&bd, hint: training, name: "batch norm backward")
            data = Memory(md); data2 = Memory(md); data3 = Memory(md)
            let vec = DNNL.desc([channels], dnnl_a)
            scale = Memory(vec); shift = Memory(vec); mean = Memory(vec); variance = Memory(vec)
            diffScale = Memory(vec); diffShift = Memory(vec)
        }

        /// What all three passes read: the input, γ, β and the statistics (the batch's, or the moving ones at inference).
        func arguments(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor, _ means: Tensor, _ variances: Tensor)
            -> [(Int32, Memory, UnsafeMutablePointer<Float>)] {
            [(DNNL_ARG_SRC, data, x.pointer), (DNNL_ARG_SCALE, scale, gamma.pointer), (DNNL_ARG_SHIFT, shift, beta.pointer),
             (DNNL_ARG_MEAN, mean, means.pointer), (DNNL_ARG_VARIANCE, variance, variances.pointer)]
        }
    }

    private func plan(_ shape: [Int]) -> Plan {
        if let p = plans[shape] { return p }
        let p = Plan(shape: shape, channels: channels, epsilon: epsilon)
        plans[shape] = p
        return p
    }
}
