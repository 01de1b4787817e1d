// The kernels against the plain loops they stand for: no library's rounding is asserted, only
// agreement within float32 accumulation error.
import XCTest
@testable import Tensor

final class TensorTests: XCTestCase {
    func assertClose(_ actual: [Float], _ expected: [Double], tolerance: Double, _ label: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, label, file: file, line: line)
        let worst = zip(actual, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, label, file: file, line: line)
    }

    /// C[i][j] = Σ op(A)[i][p] · op(B)[p][j], in Double.
    func referenceProduct(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += Double(x) * Double(y)
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    func checkProduct(m: Int, n: Int, k: Int, file: StaticString = #filePath, line: UInt = #line) {
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = uniformValues(m * k, seed: 1), b = uniformValues(k * n, seed: 2)
            let tensorA = Tensor(shape: transposeA ? [k, m] : [m, k], scalars: a)
            let tensorB = Tensor(shape: transposeB ? [n, k] : [k, n], scalars: b)
            let c = MatrixMultiply.product(tensorA, tensorB, transposeA: transposeA, transposeB: transposeB)
            XCTAssertEqual(c.shape, [m, n], file: file, line: line)
            assertClose(c.scalars, referenceProduct(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB),
                        tolerance: 1e-4, "\(m)×\(k)·\(k)×\(n) transposeA \(transposeA) transposeB \(transposeB)", file: file, line: line)
        }
    }

    func testSmallProductsOnTheCallingThreadMatchTheLoop() {
        checkProduct(m: 7, n: 5, k: 3)      // m·n·k far below 2^20: sgemm on the calling thread alone
    }

    func testLargeProductsOnTheThreadTeamMatchTheLoop() {
        checkProduct(m: 64, n: 130, k: 128)  // m·n·k = 1,064,960 ≥ 2^20: sgemm with the OpenMP team
    }

    /// y[n][oh][ow][co] = b[co] + Σ x[n][oh·s + kh - padTop][ow·s + kw - padLeft][ci] · w[kh][kw][ci][co], zero outside.
    func referenceConvolution(_ x: [Float], _ w: [Float], _ b: [Float], _ c: Convolution, batch: Int) -> [Double] {
        let (h, wd, ci, co, k) = (c.height, c.width, c.inputChannels, c.outputChannels, c.kernelSize)
        var y = [Double](repeating: 0, count: batch * c.outputHeight * c.outputWidth * co)
        for n in 0..<batch {
            for oh in 0..<c.outputHeight {
                for ow in 0..<c.outputWidth {
                    for o in 0..<co {
                        var sum = Double(b[o])
                        for kh in 0..<k {
                            for kw in 0..<k {
                                let ih = oh * c.stride + kh - c.padTop, iw = ow * c.stride + kw - c.padLeft
                                guard ih >= 0, ih < h, iw >= 0, iw < wd else { continue }
                                for i in 0..<ci {
                                    sum += Double(x[((n * h + ih) * wd + iw) * ci + i]) * Double(w[((kh * k + kw) * ci + i) * co + o])
                                }
                            }
                        }
                        y[((n * c.outputHeight + oh) * c.outputWidth + ow) * co + o] = sum
                    }
                }
            }
        }
        return y
    }

    func testConvolutionMatchesTheDirectLoop() {
        for (stride, same) in [(1, true), (1, false), (2, true), (2, false)] {
            let c = Convolution(height: 9, width: 8, inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: stride,
                                samePadding: same)
            let batch = 2
            let x = uniformValues(batch * 9 * 8 * 3, seed: 3), w = uniformValues(3 * 3 * 3 * 4, seed: 4), b = uniformValues(4, seed: 5)
            let y = c.forward(Tensor(shape: [batch, 9, 8, 3], scalars: x), weights: Tensor(shape: [3, 3, 3, 4], scalars: w),
                              bias: Tensor(shape: [4], scalars: b))
            XCTAssertEqual(y.shape, [batch, c.outputHeight, c.outputWidth, 4])
            assertClose(y.scalars, referenceConvolution(x, w, b, c, batch: batch), tolerance: 1e-4, "stride \(stride) same \(same)")
        }
    }

    func testTensorCodingRoundTripsAndRejectsAMismatchedShape() throws {
        let t = Tensor(shape: [2, 3], scalars: [1, -2.5, .pi, 0, -0, 7e-8])
        let back = try JSONDecoder().decode(Tensor.self, from: JSONEncoder().encode(t))
        XCTAssertEqual(back.shape, [2, 3])
        XCTAssertEqual(back.scalars.map(\.bitPattern), t.scalars.map(\.bitPattern))
        let wrong = #"{"shape": [4, 3], "scalars": "AAAAAA=="}"#
        XCTAssertThrowsError(try JSONDecoder().decode(Tensor.self, from: Data(wrong.utf8))) { error in
            XCTAssertTrue("\(error)".contains("a tensor of shape [4, 3] cannot hold 4 bytes"), "\(error)")
        }
        let huge = #"{"shape": [4611686018427387904, 4], "scalars": ""}"#
        XCTAssertThrowsError(try JSONDecoder().decode(Tensor.self, from: Data(huge.utf8)))
    }

    /// A single-thread section inside another stays single-threaded after the inner one ends: the inference chain
    /// creates its primitives in one, and a weight reorder's own section once gave the later primitives the whole team.
    func testSingleThreadSectionsNest() {
        let team = Parallel.parts(1 << 20, minimumPerThread: 1)
        XCTAssertEqual(team, Threads.count)
        Threads.onCallingThread {
            Threads.onCallingThread {}
            XCTAssertEqual(Parallel.parts(1 << 20, minimumPerThread: 1), 1)
        }
        XCTAssertEqual(Parallel.parts(1 << 20, minimumPerThread: 1), team)
    }
}
