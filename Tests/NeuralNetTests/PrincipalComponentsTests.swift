import Tensor
import XCTest
@testable import NeuralNet

/// PCA of points built along known axes recovers those axes, their variances and their order.
final class PrincipalComponentsTests: XCTestCase {
    func testRecoversKnownAxes() {
        // Two orthonormal axes in 5-D, spreads 4 and 1.5, centred at a non-zero mean, plus tiny noise off the plane.
        let a: [Double] = [0.6, 0.8, 0, 0, 0]
        let b: [Double] = [0, 0, 0.6, 0, -0.8]
        let centre: [Double] = [10, -3, 2, 7, 1]
        // A full grid of spreads along a and b: their sample covariance is exactly zero, so a and b are
        // the sample's principal axes (random draws would be slightly correlated and tilt them).
        var rng = SeededGenerator(seed: 1)
        var rows: [Float] = []
        let steps = (0..<20).map { Double($0) / 19 * 2 - 1 }       // -1 … 1, symmetric
        var sa = 0.0, sb = 0.0
        for u in steps {
            for v in steps {
                let s = u * 4, t = v * 1.5
                sa += s * s; sb += t * t
                for j in 0..<5 {
                    rows.append(Float(centre[j] + s * a[j] + t * b[j] + Double(rng.nextUnitFloat() - 0.5) * 0.01))
                }
            }
        }
        let n = 400
        let pca = PrincipalComponents(rows: rows, dimensions: 5, count: 2)
        func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0.0) { $0 + $1.0 * $1.1 } }
        XCTAssertGreaterThan(abs(dot(pca.axes[0], a)), 0.999, "first axis \(pca.axes[0])")
        XCTAssertGreaterThan(abs(dot(pca.axes[1], b)), 0.999, "second axis \(pca.axes[1])")
        XCTAssertEqual(abs(dot(pca.axes[0], pca.axes[1])), 0, accuracy: 1e-6)
        for j in 0..<5 { XCTAssertEqual(pca.mean[j], centre[j], accuracy: 0.3) }
        // Sample variances along the axes (the draws' means are near 0).
        XCTAssertEqual(pca.variances[0], sa / Double(n - 1), accuracy: 0.05 * sa / Double(n))
        XCTAssertEqual(pca.variances[1], sb / Double(n - 1), accuracy: 0.05 * sb / Double(n))
        XCTAssertEqual(pca.explained[0] + pca.explained[1], 1, accuracy: 1e-3)
        XCTAssertGreaterThan(pca.explained[0], pca.explained[1])

        let projected = pca.project(rows: Array(rows[0..<10]))
        XCTAssertEqual(projected.count, 2)
        XCTAssertEqual(projected[0].count, 2)
    }

    func testSignIsFixedAndRunsRepeat() {
        let rows: [Float] = [1, 2, 2, 4, 3, 6, 4, 8.5, -1, -2]
        let first = PrincipalComponents(rows: rows, dimensions: 2)
        let again = PrincipalComponents(rows: rows, dimensions: 2)
        XCTAssertEqual(first.axes, again.axes)
        XCTAssertGreaterThan(first.axes[0][1], 0, "the largest coordinate is positive")
    }
}
