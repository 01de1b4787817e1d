// Convolution's Winograd path in training (WinogradBatch): the forward pass and the input gradient of batches against
// the direct loops in Double, at 1, 2 and 3 threads, and that the path is taken exactly where it fits. Only agreement
// within float32 error is asserted, and that the thread count changes no bit (each image sums in an order fixed by the
// shapes); never a CPU's rounding.
import XCTest
@testable import Tensor

final class WinogradTrainingTests: XCTestCase {
    struct Shape {
        let n, h, w, ci, co: Int, same: Bool
    }

    // The reference CNN's conv2 and conv3 (a few images of the batch), an odd size (a cropped last tile row and column)
    // in an odd batch that 2 and 3 threads split unevenly, and 'valid' padding (forward only: its input gradient stays
    // on oneDNN).
    let shapes = [
        Shape(n: 4, h: 14, w: 14, ci: 32, co: 64, same: true),
        Shape(n: 3, h: 7, w: 7, ci: 64, co: 64, same: true),
        Shape(n: 3, h: 5, w: 7, ci: 16, co: 32, same: true),
        Shape(n: 5, h: 6, w: 5, ci: 16, co: 16, same: false),
    ]

    // Tolerance, as in WinogradConvolutionTests: F(2,3)'s transforms have coefficients 0, ±½ and ±1, so its float32
    // error stays a small multiple of the direct sum's (at most ~1e-6 of Σ |terms|); 2e-5 leaves that margin, while a
    // missing or misplaced tap moves an output by one term, about 1/(9 · channels) ≥ 1/576 of Σ |terms|, 80× more.
    let tolerance = 2e-5

    /// Values in [−1, 1): signed, so the ReLU clips about half the outputs (uniformValues' lie in [0, 2)).
    func values(_ count: Int, seed: UInt64) -> [Float] { uniformValues(count, seed: seed).map { $0 - 1 } }

    func make(_ s: Shape) -> Convolution {
        Convolution(height: s.h, width: s.w, inputChannels: s.ci, outputChannels: s.co, kernelSize: 3, samePadding: s.same,
                    bias: true, fusedReLU: true)
    }

    /// Σ over the 3×3 window and the input channels in Double, and Σ |terms| per output: out[r, j, o] =
    /// Σ input[r + kh − pad, j + kw − pad, c] · weight(kh, kw, c, o).  input: [n, h, w, ci] → [n, h + 2·pad − 2, w + 2·pad − 2, co]
    func direct(n: Int, h: Int, w: Int, ci: Int, co: Int, pad: Int, _ input: [Float], weight: (Int, Int, Int, Int) -> Float)
        -> (sum: [Double], magnitude: [Double]) {
        let oh = h + 2 * pad - 2, ow = w + 2 * pad - 2
        var sum = [Double](repeating: 0, count: n * oh * ow * co), magnitude = sum
        for b in 0..<n {
            for r in 0..<oh {
                for j in 0..<ow {
                    let out = ((b * oh + r) * ow + j) * co
                    for kh in 0..<3 {
                        for kw in 0..<3 {
                            let i = r + kh - pad, q = j + kw - pad
                            guard i >= 0, i < h, q >= 0, q < w else { continue }
                            for c in 0..<ci {
                                let v = Double(input[((b * h + i) * w + q) * ci + c])
                                for o in 0..<co {
                                    let term = v * Double(weight(kh, kw, c, o))
                                    sum[out + o] += term
                                    magnitude[out + o] += abs(term)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (sum, magnitude)
    }

    /// The forward sums before bias and ReLU.  x: [N, H, W, Ci], w: [3, 3, Ci, Co] → [N, OH, OW, Co]
    func directForward(_ s: Shape, _ x: [Float], _ w: [Float]) -> (sum: [Double], magnitude: [Double]) {
        direct(n: s.n, h: s.h, w: s.w, ci: s.ci, co: s.co, pad: s.same ? 1 : 0, x) { kh, kw, c, o in w[((kh * 3 + kw) * s.ci + c) * s.co + o] }
    }

    /// The input gradient of a 'same' convolution: y[r, j, o] takes x[r + kh − 1, j + kw − 1, c] · w[kh, kw, c, o], so
    /// dx[p, q, c] = Σ dy[p − kh + 1, q − kw + 1, o] · w[kh, kw, c, o]; with kh′ = 2 − kh that is the window sum above over
    /// dy with weight(kh′, kw′, o, c) = w[2 − kh′, 2 − kw′, c, o].  dy: [N, H, W, Co] → [N, H, W, Ci]
    func directInputGradient(_ s: Shape, _ dy: [Float], _ w: [Float]) -> (sum: [Double], magnitude: [Double]) {
        direct(n: s.n, h: s.h, w: s.w, ci: s.co, co: s.ci, pad: 1, dy) { kh, kw, o, c in w[(((2 - kh) * 3 + 2 - kw) * s.ci + c) * s.co + o] }
    }

    /// Largest |value − expected| / max(1, Σ |terms|).
    func worst(_ values: [Float], _ expected: [Double], _ magnitude: [Double]) -> Double {
        XCTAssertEqual(values.count, expected.count)
        return zip(values, zip(expected, magnitude)).map { abs(Double($0) - $1.0) / max(1, $1.1) }.max() ?? 0
    }

    func testForwardAndInputGradientMatchTheDirectLoopsAtOneTwoAndThreeThreads() {
        for (index, s) in shapes.enumerated() {
            let seed = UInt64(index) * 10
            let x = values(s.n * s.h * s.w * s.ci, seed: seed + 1), w = values(9 * s.ci * s.co, seed: seed + 2)
            let b = values(s.co, seed: seed + 3)
            let oh = s.same ? s.h : s.h - 2, ow = s.same ? s.w : s.w - 2
            let dy = values(s.n * oh * ow * s.co, seed: seed + 4)
            let (sum, magnitude) = directForward(s, x, w)
            let expected = sum.enumerated().map { max($0.element + Double(b[$0.offset % s.co]), 0) }
            XCTAssertGreaterThan(expected.filter { $0 == 0 }.count, expected.count / 4, "\(s): the ReLU has outputs to clip")
            let gradient = s.same ? directInputGradient(s, dy, w) : nil
            var bits: (y: [Float], dx: [Float]?)?
            for threads in [1, 2, 3] {
                let (y, dx) = Threads.withTeam(threads) {
                    let c = make(s)
                    let y = c.forward(Tensor(shape: [s.n, s.h, s.w, s.ci], scalars: x), weights: Tensor(shape: [3, 3, s.ci, s.co], scalars: w),
                                      bias: Tensor(shape: [s.co], scalars: b))
                    let dx = c.backward(Tensor(shape: [s.n, s.h, s.w, s.ci], scalars: x), Tensor(shape: [s.n, oh, ow, s.co], scalars: dy),
                                        weights: Tensor(shape: [3, 3, s.ci, s.co], scalars: w), inputGradient: true).input!
                    XCTAssertNotNil(c.winogradForward, "\(s): the forward pass ran on Winograd")
                    XCTAssertEqual(c.winogradBackwardData != nil, s.same, "\(s): the input gradient ran on Winograd where 'same'")
                    return (y.scalars, dx.scalars)
                }
                XCTAssertLessThan(worst(y, expected, magnitude), tolerance, "\(s) forward at \(threads) threads")
                if let gradient {
                    XCTAssertLessThan(worst(dx, gradient.sum, gradient.magnitude), tolerance, "\(s) input gradient at \(threads) threads")
                }
                // Every image sums in the same order however the batch is split.
                if let bits {
                    XCTAssertEqual(y, bits.y, "\(s) forward at \(threads) threads against 1: bits")
                    if s.same { XCTAssertEqual(dx, bits.dx, "\(s) input gradient at \(threads) threads against 1: bits") }
                } else {
                    bits = (y, s.same ? dx : nil)
                }
            }
        }
    }

    func testInferenceModeForwardWithoutBiasOrReLU() {
        // A linear layer without bias: the kernel gets neither (a bias added twice or a stray ReLU shows here).
        let s = Shape(n: 2, h: 5, w: 7, ci: 16, co: 32, same: true)
        let x = values(s.n * s.h * s.w * s.ci, seed: 61), w = values(9 * s.ci * s.co, seed: 62)
        let c = Convolution(height: s.h, width: s.w, inputChannels: s.ci, outputChannels: s.co, kernelSize: 3, samePadding: true,
                            bias: false, fusedReLU: false)
        let y = c.forward(Tensor(shape: [s.n, s.h, s.w, s.ci], scalars: x), weights: Tensor(shape: [3, 3, s.ci, s.co], scalars: w),
                          bias: nil)
        let (sum, magnitude) = directForward(s, x, w)
        XCTAssertLessThan(worst(y.scalars, sum, magnitude), tolerance)
        XCTAssertNotNil(c.winogradForward)
    }

    func testThePathIsTakenExactlyWhereItFits() {
        func convolution(ci: Int = 16, co: Int = 16, k: Int = 3, stride: Int = 1, same: Bool = true) -> Convolution {
            Convolution(height: 6, width: 6, inputChannels: ci, outputChannels: co, kernelSize: k, stride: stride, samePadding: same)
        }
        XCTAssertTrue(convolution().runsWinograd)
        XCTAssertTrue(convolution(same: false).runsWinograd)
        XCTAssertFalse(convolution(same: false).winogradFitsBackwardData, "'valid': the input gradient needs pad 2")
        XCTAssertFalse(convolution(ci: 8).runsWinograd, "channels not a multiple of 16")
        XCTAssertFalse(convolution(co: 24).runsWinograd, "channels not a multiple of 16")
        XCTAssertFalse(convolution(k: 5).runsWinograd, "5×5")
        XCTAssertFalse(convolution(stride: 2).runsWinograd, "stride 2")
        XCTAssertFalse(convolution(ci: 1).runsWinograd, "one input channel: conv1's own kernels")

        // Where it does not fit, or in bf16, oneDNN runs and the Winograd kernels are never made.
        let x = Tensor(shape: [2, 6, 6, 16], scalars: values(2 * 6 * 6 * 16, seed: 71))
        var others = [convolution(stride: 2), convolution(k: 5)]
        if BFloat16.isSupported {
            let low = convolution()
            low.bfloat16 = true
            others.append(low)
        }
        for c in others {
            let w = Tensor(shape: [c.kernelSize, c.kernelSize, 16, 16], scalars: values(c.kernelSize * c.kernelSize * 256, seed: 72))
            let y = c.forward(x, weights: w, bias: Tensor(zeros: [16]))
            _ = c.backward(x, y, weights: w, inputGradient: true)
            XCTAssertNil(c.winogradForward)
            XCTAssertNil(c.winogradBackwardData)
        }
    }
}
