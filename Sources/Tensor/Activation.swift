import CDNNL
import Foundation

/// Element-wise activation functions, forward and backward.
public enum ActivationFunction: String, Sendable, CaseIterable, Codable {
    case linear, relu, sigmoid, tanh, softmax
}

/// Element-wise activations through oneDNN's eltwise primitives (multi-threaded); softmax works on rows.
public enum Activations {
    nonisolated(unsafe) private static var cache: [String: (Primitive, Primitive, Memory, Memory, Memory)] = [:]

    /// y = f(x) for relu, sigmoid, tanh; softmax over the last axis; linear returns x.
    public static func forward(_ f: ActivationFunction, _ x: Tensor) -> Tensor {
        switch f {
        case .linear: return x
        case .softmax: return softmaxRows(x)
        case .relu, .sigmoid, .tanh:
            let (fwd, _, a, b, _) = primitives(f, x.count)
            let y = Tensor(uninitialized: x.shape)
            small(x.count) { fwd.run([(DNNL_ARG_SRC, a, x.pointer), (DNNL_ARG_DST, b, y.pointer)]) }
            return y
        }
    }

    /// dx = f'(·) ⊙ dy, computed from the forward output y (all four are functions of y).
    /// Softmax uses its Jacobian: dx_i = y_i (dy_i − Σ_j dy_j y_j).
    public static func backward(_ f: ActivationFunction, dy: Tensor, y: Tensor) -> Tensor {
        switch f {
        case .linear: return dy
        case .softmax: return softmaxBackward(dy: dy, y: y)
        case .relu, .sigmoid, .tanh:
            let (_, bwd, a, b, c) = primitives(f, y.count)
            let dx = Tensor(uninitialized: y.shape)
            small(y.count) { bwd.run([(DNNL_ARG_DST, a, y.pointer), (DNNL_ARG_DIFF_DST, b, dy.pointer), (DNNL_ARG_DIFF_SRC, c, dx.pointer)]) }
            return dx
        }
    }

    /// A pass over fewer than 64k values (a dense layer's) runs on the calling thread: waking the team costs more.
    private static func small(_ count: Int, _ body: () -> Void) {
        if count < 1 << 16 { Threads.onCallingThread(body) } else { body() }
    }

    private static func primitives(_ f: ActivationFunction, _ count: Int) -> (Primitive, Primitive, Memory, Memory, Memory) {
        let key = "\(f.rawValue)-\(count)"
        if let p = cache[key] { return p }
        let alg: dnnl_alg_kind_t
        switch f {
        case .relu: alg = dnnl_eltwise_relu_use_dst_for_bwd
        case .sigmoid: alg = dnnl_eltwise_logistic_use_dst_for_bwd
        default: alg = dnnl_eltwise_tanh_use_dst_for_bwd
        }
        var md = DNNL.desc([count], dnnl_a)
        var fd = dnnl_eltwise_desc_t()
        DNNL.check(dnnl_eltwise_forward_desc_init(&fd, dnnl_forward_training, alg, &md, 0, 0), "eltwise fwd")
        let fwd = Primitive(&fd, name: "eltwise \(f)")
        var bd = dnnl_eltwise_desc_t()
        var dmd = md
        DNNL.check(dnnl_eltwise_backward_desc_init(&bd, alg, &dmd, &md, 0, 0), "eltwise bwd")
        let bwd = Primitive(&bd, hint: fwd, name: "eltwise \(f) backward")
        let p = (fwd, bwd, Memory(md), Memory(md), Memory(md))
        cache[key] = p
        return p
    }

    /// Row-wise softmax with the max subtracted first, so large logits cannot overflow.  x: [N, K]
    public static func softmaxRows(_ x: Tensor) -> Tensor {
        let k = x.shape.last!, n = x.count / k
        let y = Tensor(uninitialized: x.shape)
        y.pointer.update(from: x.pointer, count: x.count)
        for r in 0..<n { softmax(y.pointer + r * k, count: k) }
        return y
    }

    /// Softmax of one row in place.
    /// f(v) for one value; softmax (over a row) and linear leave v as it is.
    static func apply(_ f: ActivationFunction, _ v: Float) -> Float {
        switch f {
        case .relu: return max(v, 0)
        case .sigmoid: return 1 / (1 + Foundation.exp(-v))
        case .tanh: return Foundation.tanh(v)
        case .linear, .softmax: return v
        }
    }

    static func softmax(_ row: UnsafeMutablePointer<Float>, count k: Int) {
        var m = -Float.infinity
        for j in 0..<k { m = max(m, row[j]) }
        var s: Float = 0
        for j in 0..<k { let e = Foundation.exp(row[j] - m); row[j] = e; s += e }
        let inv = 1 / s
        for j in 0..<k { row[j] *= inv }
    }

    static func softmaxBackward(dy: Tensor, y: Tensor) -> Tensor {
        let k = y.shape.last!, n = y.count / k
        let dx = Tensor(uninitialized: y.shape)
        for r in 0..<n {
            let yr = y.pointer + r * k, dyr = dy.pointer + r * k, dxr = dx.pointer + r * k
            var dot: Float = 0
            for j in 0..<k { dot += dyr[j] * yr[j] }
            for j in 0..<k { dxr[j] = yr[j] * (dyr[j] - dot) }
        }
        return dx
    }
}
