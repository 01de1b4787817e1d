// Batch normalization's training kernels against the formulas in Double: only agreement within float32 error is asserted.
import XCTest
@testable import Tensor

final class BatchNormalizationTests: XCTestCase {
    /// Deterministic values in [offset - spread, offset + spread).
    func values(_ count: Int, seed: UInt64, offset: Double = 0, spread: Double = 1) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(offset + spread * (Double(Int64(bitPattern: state >> 11) % 2000) / 1000))
        }
    }

    /// The training forward and backward of one shape, each output against the Double reference.
    func check(shape: [Int], offset: Double = 0, spread: Double = 1, mask: Bool = false, gradients: Bool = true,
               file: StaticString = #filePath, line: UInt = #line) {
        let c = shape.last!, n = shape.reduce(1, *), rows = n / c
        var xs = values(n, seed: 1, offset: offset, spread: spread)
        if mask { for i in stride(from: 0, to: n, by: 3) { xs[i] = 0 } }   // a ReLU's zeros
        let dys = values(n, seed: 2), gammas = values(c, seed: 3), betas = values(c, seed: 4)
        let x = Tensor(shape: shape, scalars: xs), dy = Tensor(shape: shape, scalars: dys)
        let gamma = Tensor(shape: [c], scalars: gammas), beta = Tensor(shape: [c], scalars: betas)
        let kernel = BatchNormalization(channels: c, epsilon: 1e-3)
        let (y, mean, variance) = kernel.forwardTraining(x, gamma: gamma, beta: beta)
        let (dx, dgamma, dbeta) = kernel.backward(dy, x: x, gamma: gamma, mean: mean, variance: variance, maskNonPositiveInput: mask)

        var worst = (mean: 0.0, variance: 0.0, y: 0.0, dx: 0.0, dgamma: 0.0, dbeta: 0.0)
        for k in 0..<c {
            var m = 0.0, v = 0.0
            for r in 0..<rows { m += Double(xs[r * c + k]) }
            m /= Double(rows)
            for r in 0..<rows { v += (Double(xs[r * c + k]) - m) * (Double(xs[r * c + k]) - m) }
            v /= Double(rows)
            let s = 1 / (v + 1e-3).squareRoot(), g = Double(gammas[k])
            // A float sum's error grows with the sum of its terms' magnitudes, so the sums are judged against those.
            var sumDy = 0.0, sumDyXhat = 0.0, magnitudeDy = 0.0, magnitudeDyXhat = 0.0
            for r in 0..<rows {
                let xhat = (Double(xs[r * c + k]) - m) * s
                sumDy += Double(dys[r * c + k])
                sumDyXhat += Double(dys[r * c + k]) * xhat
                magnitudeDy += abs(Double(dys[r * c + k]))
                magnitudeDyXhat += abs(Double(dys[r * c + k]) * xhat)
                worst.y = max(worst.y, abs(Double(y[flat: r * c + k]) - (g * xhat + Double(betas[k]))))
            }
            for r in 0..<rows {
                let xhat = (Double(xs[r * c + k]) - m) * s
                var expected = g * s * (Double(dys[r * c + k]) - sumDy / Double(rows) - xhat * sumDyXhat / Double(rows))
                if mask && xs[r * c + k] <= 0 { expected = 0 }
                worst.dx = max(worst.dx, abs(Double(dx[flat: r * c + k]) - expected))
            }
            worst.mean = max(worst.mean, abs(Double(mean[flat: k]) - m) / max(abs(m), 1))
            worst.variance = max(worst.variance, abs(Double(variance[flat: k]) - v) / v)
            worst.dgamma = max(worst.dgamma, abs(Double(dgamma[flat: k]) - sumDyXhat) / max(1, magnitudeDyXhat))
            worst.dbeta = max(worst.dbeta, abs(Double(dbeta[flat: k]) - sumDy) / max(1, magnitudeDy))
        }
        XCTAssertLessThan(worst.mean, 1e-6, "mean \(shape)", file: file, line: line)
        XCTAssertLessThan(worst.variance, 1e-4, "variance \(shape)", file: file, line: line)
        XCTAssertLessThan(worst.y, 1e-4, "y \(shape)", file: file, line: line)
        guard gradients else { return }
        XCTAssertLessThan(worst.dx, 1e-4, "dx \(shape)", file: file, line: line)
        XCTAssertLessThan(worst.dgamma, 1e-5, "dgamma \(shape)", file: file, line: line)
        XCTAssertLessThan(worst.dbeta, 1e-5, "dbeta \(shape)", file: file, line: line)
    }

    func testImagesWithChannelsNotAMultipleOfTheVector() { check(shape: [3, 5, 7, 37]) }

    func testManyRowsSplitOverThreads() { check(shape: [8, 16, 16, 40]) }

    func testMoreChannelsThanOneBlockOfSums() { check(shape: [40, 300]) }

    /// A mean of 1000 and a spread of 0.01: sums of squares about the raw values would cancel to nothing in float.
    /// (The gradients start from the mean stored in float, 3e-5 off at 1000, as oneDNN's and Keras' do: not checked here.)
    func testLargeMeanSmallSpreadKeepsTheVariance() {
        check(shape: [64, 6, 6, 16], offset: 1000, spread: 0.01, gradients: false)
    }

    func testMaskedBackwardZeroesWhereTheReLUWasOff() { check(shape: [8, 16, 16, 32], offset: 0.3, mask: true) }
}
