import Tensor

/// The leading principal axes of a set of rows, by power iteration on Xᵀ X through GEMM (never forming the
/// D × D covariance, so a flattened convolution's 12,544 features cost O(N · D) per iteration).
public struct PrincipalComponents: Sendable {
    /// Column means, subtracted before projecting.  [D]
    public let mean: [Double]
    /// Unit axes, largest variance first.  count × [D]
    public let axes: [[Double]]
    /// The variance along each axis.
    public let variances: [Double]
    /// Share of the total variance each axis explains (0…1).
    public let explained: [Double]

    /// rows: N × D values row-major (`dimensions` = D).  Deterministic: the start vectors are fixed.
    public init(rows: [Float], dimensions d: Int, count: Int = 2, iterations: Int = 300, tolerance: Double = 1e-8) {
        precondition(d > 0 && rows.count % d == 0 && rows.count >= 2 * d && count >= 1, "PrincipalComponents: \(rows.count) values are not two or more rows of \(d)")
        let n = rows.count / d
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += Double(rows[r * d + j]) } }
        if n > 0 { for j in 0..<d { mean[j] /= Double(n) } }
        var centred = [Float](repeating: 0, count: n * d)
        var total = 0.0
        for r in 0..<n {
            for j in 0..<d {
                let v = Double(rows[r * d + j]) - mean[j]
                centred[r * d + j] = Float(v)
                total += v * v
            }
        }
        let x = Tensor(shape: [n, d], scalars: centred)       // [N, D]
        let denominator = Double(max(n - 1, 1))
        total /= denominator

        // v ← Xᵀ (X v), orthogonal to the axes already found (deflation by Gram–Schmidt).
        func apply(_ v: [Double]) -> [Double] {
            let xv = MatrixMultiply.product(x, Tensor(shape: [d, 1], scalars: v.map(Float.init)))   // [N, 1]
            return MatrixMultiply.product(x, xv, transposeA: true).scalars.map(Double.init)         // [D, 1]
        }
        func orthogonalised(_ v: [Double], _ against: [[Double]]) -> [Double] {
            var v = v
            for a in against {
                let dot = zip(v, a).reduce(0.0) { $0 + $1.0 * $1.1 }
                for j in 0..<d { v[j] -= dot * a[j] }
            }
            return v
        }
        func normalised(_ v: [Double]) -> ([Double], Double) {
            let norm = v.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? (v.map { $0 / norm }, norm) : (v, 0)
        }

        var axes: [[Double]] = [], variances: [Double] = []
        for k in 0..<min(count, d) {
            // A fixed, dense start that is unlikely to be orthogonal to any axis.
            var (v, _) = normalised(orthogonalised((0..<d).map { 1 + 0.37 * Double(($0 * 7 + k * 13) % 11) }, axes))
            var eigenvalue = 0.0
            for _ in 0..<iterations {
                let (next, norm) = normalised(orthogonalised(apply(v), axes))
                let change = zip(next, v).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                v = next; eigenvalue = norm
                if norm == 0 || change < tolerance { break }
            }
            // Sign convention: the largest-magnitude coordinate is positive, so results do not flip between runs.
            if let big = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[big] < 0 { v = v.map { -$0 } }
            axes.append(v)
            variances.append(eigenvalue / denominator)
        }
        self.mean = mean
        self.axes = axes
        self.variances = variances
        self.explained = variances.map { total > 0 ? $0 / total : 0 }
    }

    /// Coordinates of each row along the axes.  rows: N × D → N × count
    public func project(rows: [Float]) -> [[Double]] {
        let d = mean.count
        var result: [[Double]] = []
        result.reserveCapacity(rows.count / d)
        for start in stride(from: 0, to: rows.count, by: d) {
            var coordinates: [Double] = []
            for axis in axes {
                var sum = 0.0
                for j in 0..<d { sum += (Double(rows[start + j]) - mean[j]) * axis[j] }
                coordinates.append(sum)
            }
            result.append(coordinates)
        }
        return result
    }
}
