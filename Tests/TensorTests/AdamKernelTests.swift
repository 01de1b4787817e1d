// Adam's update sweep (CKernels/adam.c) against Keras' formula written out in Swift, one rounding per operation:
// vector square roots and divisions round exactly as scalar ones, so the bits must be equal.
import XCTest
@testable import Tensor

final class AdamKernelTests: XCTestCase {
    func testTheSweepGivesTheBitsOfTheScalarFormula() {
        var rng = SystemRandomNumberGenerator()
        // A tail shorter than a vector, several vectors, and enough elements to be split over the threads.
        for count in [1, 15, 37, 1_000, 100_003] {
            let g = (0..<count).map { _ in Float.random(in: -0.05...0.05, using: &rng) }
            let m0 = g.map { $0 * Float.random(in: 0...1, using: &rng) }
            let v0 = g.map { $0 * $0 * Float.random(in: 0...2, using: &rng) }
            let w0 = (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
            var w = Tensor(shape: [count], scalars: w0), m = Tensor(shape: [count], scalars: m0), v = Tensor(shape: [count], scalars: v0)
            let (lr, b1, b2, eps): (Float, Float, Float, Float) = (0.00123, 0.9, 0.999, 1e-7)
            w.adamStep(gradient: Tensor(shape: [count], scalars: g), m: &m, v: &v, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)
            var worst = 0
            for i in 0..<count {
                let mi = b1 * m0[i] + (1 - b1) * g[i]
                let vi = b2 * v0[i] + (1 - b2) * g[i] * g[i]
                let wi = w0[i] - lr * mi / (vi.squareRoot() + eps)
                if m[flat: i].bitPattern != mi.bitPattern || v[flat: i].bitPattern != vi.bitPattern
                    || w[flat: i].bitPattern != wi.bitPattern { worst += 1 }
            }
            XCTAssertEqual(worst, 0, "\(count) elements: \(worst) differ")
        }
    }
}
