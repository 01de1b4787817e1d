import CBLAS
import CDNNL

/// Matrix products for dense layers: row-major SGEMM.
/// Large products run on oneDNN's SGEMM, on the same OpenMP threads as the convolutions; small ones on
/// single-threaded OpenBLAS, where waking a thread team would cost more than the product.
public enum MatrixMultiply {
    /// C = op(A) · op(B), with A: [m, k] (or [k, m] when transposed), B: [k, n] (or [n, k]).
    public static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.shape.count == 2 && b.shape.count == 2, "product: matrices only, got \(a.shape) and \(b.shape)")
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == (transposeB ? b.shape[1] : b.shape[0]), "product: \(a.shape) · \(b.shape) do not fit")
        let c = Tensor(uninitialized: [m, n])
        if m * n * k < 1 << 20 {
            cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), 1, a.pointer, Int32(a.shape[1]), b.pointer, Int32(b.shape[1]),
                        0, c.pointer, Int32(n))
            return c
        }
        DNNL.check(dnnl_sgemm(transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k), 1,
                              a.pointer, Int64(a.shape[1]), b.pointer, Int64(b.shape[1]), 0, c.pointer, Int64(n)), "sgemm")
        return c
    }
}
