import CDNNL

/// Matrix products for dense layers: row-major SGEMM, all through oneDNN's sgemm, which picks its kernel from
/// the CPU's own feature flags (Debian's OpenBLAS 0.3.21 took Sapphire Rapids for a Prescott and ran 5× slower).
/// Small products run on the calling thread alone, where waking the OpenMP team would cost more than the product.
public enum MatrixMultiply {
    /// C = op(A) · op(B), with A: [m, k] (or [k, m] when transposed), B: [k, n] (or [n, k]).
    public static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.shape.count == 2 && b.shape.count == 2, "product: matrices only, got \(a.shape) and \(b.shape)")
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == (transposeB ? b.shape[1] : b.shape[0]), "product: \(a.shape) · \(b.shape) do not fit")
        let c = Tensor(uninitialized: [m, n])
        let run = {
            // 'T' / 'N': oneDNN's sgemm is row-major like ours.
            DNNL.check(dnnl_sgemm(transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k), 1,
                                  a.pointer, Int64(a.shape[1]), b.pointer, Int64(b.shape[1]), 0, c.pointer, Int64(n)), "sgemm")
        }
        if m * n * k < 1 << 20 { Threads.onCallingThread(run) } else { run() }
        return c
    }
}
