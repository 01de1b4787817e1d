import CKernels

/// Batch normalization in training fused with the 2×2 max pool after it (CKernels/batchnorm_maxpool.c): one sweep after
/// the statistics writes the pool's output, and the backward's gradient sweep scatters the pooled gradient itself, so the
/// full-size normalised output and its gradient are never written (two sweeps of memory fewer each way).
extension BatchNormalization {
    /// What the fused backward keeps of the forward, per pooled output [N, H/2, W/2, C]: which of the four won (a byte,
    /// 0 top left … 3 bottom right, packed four to a float) and the winner's input x.
    public struct PoolWinners {
        let which: Tensor
        let x: Tensor
    }

    /// Whether `pool` can run fused after this batch norm: mnistbook's own 2×2 stride-2 kernels fit it, same channels.
    public func fuses(_ pool: MaxPooling) -> Bool { pool.ownKernels && pool.channels == channels }

    /// Training: normalise with this batch's statistics, then `pool`, in one sweep past the statistics.
    /// x: [N, H, W, C] → y: [N, H/2, W/2, C]; `portable` forces the C path without AVX-512 (tests).
    public func forwardTraining(_ x: Tensor, gamma: Tensor, beta: Tensor, pooledBy pool: MaxPooling, portable: Bool = false)
        -> (y: Tensor, winners: PoolWinners, mean: Tensor, variance: Tensor) {
        let n = x.shape[0]
        precondition(fuses(pool) && x.shape == [n, pool.height, pool.width, channels], "batch norm + pool: input \(x.shape)")
        let s = statistics(x, gamma: gamma, beta: beta)
        let y = Tensor(uninitialized: [n, pool.outputHeight, pool.outputWidth, channels])
        let winners = PoolWinners(which: Tensor(uninitialized: [(y.count + 3) / 4]), x: Tensor(uninitialized: y.shape))
        winners.which.pointer.withMemoryRebound(to: UInt8.self, capacity: y.count) { which in
            Parallel.forEach(n * pool.outputHeight, minimumPerThread: pool.rowsPerThread) { r in
                mnistbook_bn_maxpool2_forward(x.pointer, y.pointer, winners.x.pointer, which, pool.height, pool.width, channels,
                                              r.lowerBound, r.upperBound, s.center.pointer, s.scale.pointer, s.shift.pointer,
                                              portable ? 1 : 0)
            }
        }
        return (y, winners, s.mean, s.variance)
    }

    /// Gradients through that forward from the pool's output gradient.  dy: [N, H/2, W/2, C] → dx: [N, H, W, C]
    /// The sums run over the winners alone (the scattered gradient is 0 elsewhere), from the pooled dy and the winners'
    /// x; `maskNonPositiveInput` as in `backward`.
    public func backward(pooled dy: Tensor, winners: PoolWinners, x: Tensor, gamma: Tensor, mean: Tensor, variance: Tensor,
                         pool: MaxPooling, maskNonPositiveInput: Bool = false, portable: Bool = false)
        -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
        let c = channels, n = x.shape[0]
        precondition(fuses(pool) && x.shape == [n, pool.height, pool.width, c] && dy.shape == winners.x.shape
                     && dy.shape == [n, pool.outputHeight, pool.outputWidth, c], "batch norm + pool backward: dy \(dy.shape) for x \(x.shape)")
        let (sumDy, sumDyX) = BatchNormalization.sums(rows: dy.count / c, channels: c) { begin, end, first, second in
            mnistbook_bn_gradient_sums(dy.pointer, winners.x.pointer, c, begin, end, mean.pointer, first, second)
        }
        let k = coefficients(sumDy: sumDy, sumDyX: sumDyX, rows: x.count / c, gamma: gamma, variance: variance)
        let dx = Tensor(uninitialized: x.shape)
        winners.which.pointer.withMemoryRebound(to: UInt8.self, capacity: dy.count) { which in
            Parallel.forEach(n * pool.outputHeight, minimumPerThread: pool.rowsPerThread) { r in
                mnistbook_bn_maxpool2_gradient(dy.pointer, which, x.pointer, dx.pointer, pool.height, pool.width, c, r.lowerBound,
                                               r.upperBound, mean.pointer, k.a.pointer, k.b.pointer, k.d.pointer,
                                               maskNonPositiveInput ? 1 : 0, portable ? 1 : 0)
            }
        }
        return (dx, k.dgamma, k.dbeta)
    }
}
