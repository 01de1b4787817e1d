// Batch norm fused with the 2×2 max pool after it against the two run apart (BatchNormalization then MaxPooling, and
// back), at 1, 2 and 3 threads, and its AVX-512 path against its portable one. Only agreement within float32 error is
// asserted, on inputs where no rounding can change which input wins a window (see `inputs`).
import XCTest
@testable import Tensor

final class BatchNormMaxPoolingTests: XCTestCase {
    /// x on a grid of 0.001 in [−1, 1) (every third 0 when `zeros`: a ReLU's dead units), |γ| in [0.5, 1.5) of both signs,
    /// the first channel's γ negative: σ ≤ 0.6, so distinct inputs' normalised values lie ≥ 8e-4 apart, thousands of times
    /// a float32 rounding of them (≤ 5e-7), and any two ways of computing them pick the same winner (ties: the first).
    func inputs(_ shape: [Int], zeros: Bool) -> (x: Tensor, dy: Tensor, gamma: Tensor, beta: Tensor) {
        let c = shape.last!, count = shape.reduce(1, *)
        var xs = uniformValues(count, seed: 1)
        if zeros { for i in stride(from: 0, to: count, by: 3) { xs[i] = 0 } }
        let gammas = uniformValues(c, seed: 3).enumerated().map { k, v in (k == 0 || v < 0 ? -1 : 1) * (0.5 + abs(v)) }
        let pooled = [shape[0], shape[1] / 2, shape[2] / 2, c]
        return (Tensor(shape: shape, scalars: xs), Tensor(shape: pooled, scalars: uniformValues(count / 4, seed: 2)),
                Tensor(shape: [c], scalars: gammas), Tensor(shape: [c], scalars: uniformValues(c, seed: 4)))
    }

    /// Every output of one training forward and backward pass, by name: fused, or batch norm then pool apart.
    func run(_ shape: [Int], fused: Bool, mask: Bool, threads: Int = 1, portable: Bool = false) -> [String: [Float]] {
        let (x, dy, gamma, beta) = inputs(shape, zeros: mask)
        return Threads.withTeam(threads) {
            let norm = BatchNormalization(channels: shape[3], epsilon: 1e-3)
            let pool = MaxPooling(height: shape[1], width: shape[2], channels: shape[3], pool: 2)
            XCTAssertTrue(norm.fuses(pool), "\(shape)")
            if fused {
                let (y, winners, mean, variance) = norm.forwardTraining(x, gamma: gamma, beta: beta, pooledBy: pool, portable: portable)
                let (dx, dgamma, dbeta) = norm.backward(pooled: dy, winners: winners, x: x, gamma: gamma, mean: mean, variance: variance,
                                                        pool: pool, maskNonPositiveInput: mask, portable: portable)
                return ["y": y.scalars, "mean": mean.scalars, "variance": variance.scalars, "dx": dx.scalars,
                        "dgamma": dgamma.scalars, "dbeta": dbeta.scalars]
            }
            let (normalised, mean, variance) = norm.forwardTraining(x, gamma: gamma, beta: beta)
            let (y, workspace) = pool.forward(normalised, training: true)
            let scattered = pool.backward(dy, workspace: workspace!)
            let (dx, dgamma, dbeta) = norm.backward(scattered, x: x, gamma: gamma, mean: mean, variance: variance,
                                                    maskNonPositiveInput: mask)
            return ["y": y.scalars, "mean": mean.scalars, "variance": variance.scalars, "dx": dx.scalars,
                    "dgamma": dgamma.scalars, "dbeta": dbeta.scalars]
        }
    }

    /// Every output of `got` within ‖Δ‖/‖expected‖ < 1e-5: the same terms summed in another order (the winners alone,
    /// other blocks and parts) or contracted into other fused multiply-adds, each float32 rounding 6e-8 relative and the
    /// sums' errors adding like a random walk (ThreadAgreementTests holds the row split to the same bound). A wrong
    /// winner, a lost row or a term missing off the winners moves an output by 1e-3 or more.
    func assertAgree(_ got: [String: [Float]], _ expected: [String: [Float]], _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(got.keys), Set(expected.keys), file: file, line: line)
        for (name, reference) in expected {
            let values = got[name]!
            XCTAssertEqual(values.count, reference.count, "\(what): \(name) count", file: file, line: line)
            XCTAssertTrue(reference.contains { $0 != 0 }, "\(what): \(name) all zero proves nothing", file: file, line: line)
            var difference = 0.0, norm = 0.0
            for (u, v) in zip(values, reference) {
                difference += (Double(u) - Double(v)) * (Double(u) - Double(v))
                norm += Double(v) * Double(v)
            }
            XCTAssertLessThan((difference / norm).squareRoot(), 1e-5, "\(what): \(name)", file: file, line: line)
        }
    }

    func check(_ shape: [Int], file: StaticString = #filePath, line: UInt = #line) {
        for mask in [false, true] {
            assertAgree(run(shape, fused: true, mask: mask), run(shape, fused: false, mask: mask),
                        "\(shape) mask \(mask)", file: file, line: line)
        }
    }

    func testReferenceShapes() {
        check([64, 28, 28, 32])
        check([64, 14, 14, 64])
    }

    /// Batch 3 of 6×10 images; 48 channels (three vectors) and 20, 5 (a vector's tail alone).
    func testOddShapes() {
        check([3, 6, 10, 48])
        check([3, 6, 10, 20])
        check([2, 4, 2, 5])
    }

    /// γ < 0 turns the largest input into the smallest output: the max is taken after the affine, per channel.
    func testNegativeGammaPoolsTheNormalisedValues() {
        let shape = [2, 4, 4, 3]
        let (x, _, gamma, beta) = inputs(shape, zeros: false)
        let norm = BatchNormalization(channels: 3, epsilon: 1e-3), pool = MaxPooling(height: 4, width: 4, channels: 3, pool: 2)
        let y = norm.forwardTraining(x, gamma: gamma, beta: beta, pooledBy: pool).y
        let normalised = norm.forwardTraining(x, gamma: gamma, beta: beta).y
        XCTAssertLessThan(gamma[flat: 0], 0)
        for i in 0..<y.count {
            let (n, r, j, k) = (i / 12, i / 6 % 2, i / 3 % 2, i % 3)
            let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { normalised[flat: ((n * 4 + 2 * r + $0.0) * 4 + 2 * j + $0.1) * 3 + k] }
            XCTAssertEqual(y[flat: i], window.max()!, accuracy: 1e-6, "output \(i)")
        }
    }

    /// The rows split over the team: forward and gradient sweeps by output rows, sums by pooled pixels.
    func testThreadsAgreeWithOneThreadApart() {
        for shape in [[64, 28, 28, 32], [50, 14, 14, 40]] {
            let reference = run(shape, fused: false, mask: true)
            for threads in [1, 2, 3] {
                let pool = MaxPooling(height: shape[1], width: shape[2], channels: shape[3], pool: 2)
                let rows = shape[0] * shape[1] / 2, pooled = rows * shape[2] / 2
                let parts = Threads.withTeam(threads) {
                    (Parallel.parts(rows, minimumPerThread: pool.rowsPerThread),
                     Parallel.parts(pooled, minimumPerThread: BatchNormalization.rowsPerThread(shape[3])))
                }
                XCTAssertEqual(parts.0, threads, "\(shape) at \(threads) threads: sweep parts")
                XCTAssertGreaterThanOrEqual(parts.1, min(threads, 2), "\(shape) at \(threads) threads: sum parts")
                assertAgree(run(shape, fused: true, mask: true, threads: threads), reference, "\(shape) at \(threads) threads")
            }
        }
    }

    /// The portable C path against the AVX-512 one (both portable on a CPU without it): multiplies and adds rounded
    /// apart against fused multiply-adds.
    func testPortablePathAgreesWithVectorPath() {
        for shape in [[8, 28, 28, 32], [3, 6, 10, 20]] {
            for mask in [false, true] {
                assertAgree(run(shape, fused: true, mask: mask, portable: true), run(shape, fused: true, mask: mask),
                            "\(shape) mask \(mask) portable")
            }
        }
    }
}
