import Foundation
import Tensor
import XCTest

/// The inference network's dense rows (mnistbook_dense_rows and its bias, activation, scale and shift) against a
/// double-precision reference, for widths that are not multiples of the kernel's 16 lanes and batches that are not
/// multiples of its 4 rows or the network's group of 8.
final class InferenceDenseTests: XCTestCase {
    var rng = SystemRandomNumberGenerator()

    func floats(_ count: Int, _ range: ClosedRange<Float>) -> [Float] { (0..<count).map { _ in Float.random(in: range, using: &rng) } }

    func testDenseLayersOnRowsMatchADoubleReference() {
        let inputs = 301, hidden = 130, units = 10
        let w1 = floats(inputs * hidden, -0.2...0.2), b1 = floats(hidden, -0.5...0.5)
        let scale = floats(hidden, 0.5...1.5), shift = floats(hidden, -0.3...0.3)
        let w2 = floats(hidden * units, -0.3...0.3), b2 = floats(units, -0.1...0.1)
        let network = InferenceNetwork(inputShape: [inputs], steps: [
            .dense(weights: Tensor(shape: [inputs, hidden], scalars: w1), bias: Tensor(shape: [hidden], scalars: b1),
                   activation: .tanh, scale: Tensor(shape: [hidden], scalars: scale), shift: Tensor(shape: [hidden], scalars: shift)),
            .dense(weights: Tensor(shape: [hidden, units], scalars: w2), bias: Tensor(shape: [units], scalars: b2),
                   activation: .softmax, scale: nil, shift: nil),
        ])
        for n in [1, 3, 5, 13] {
            let x = floats(n * inputs, -1...1)
            let y = network.forward(Tensor(shape: [n, inputs], scalars: x)).scalars
            XCTAssertEqual(y.count, n * units)
            for r in 0..<n {
                var h = [Double](repeating: 0, count: hidden)
                for u in 0..<hidden {
                    var sum = Double(b1[u])
                    for k in 0..<inputs { sum += Double(x[r * inputs + k]) * Double(w1[k * hidden + u]) }
                    h[u] = tanh(sum) * Double(scale[u]) + Double(shift[u])
                }
                var z = [Double](repeating: 0, count: units)
                for u in 0..<units {
                    var sum = Double(b2[u])
                    for k in 0..<hidden { sum += h[k] * Double(w2[k * units + u]) }
                    z[u] = sum
                }
                let top = z.max()!
                let e = z.map { exp($0 - top) }
                let total = e.reduce(0, +)
                for u in 0..<units {
                    XCTAssertEqual(Double(y[r * units + u]), e[u] / total, accuracy: 1e-5, "batch \(n), row \(r), unit \(u)")
                }
                // The same row alone gives the same bits.
                let alone = network.forward(Tensor(shape: [1, inputs], scalars: Array(x[r * inputs..<(r + 1) * inputs]))).scalars
                XCTAssertEqual(alone, Array(y[r * units..<(r + 1) * units]), "batch \(n), row \(r)")
            }
        }
    }
}
