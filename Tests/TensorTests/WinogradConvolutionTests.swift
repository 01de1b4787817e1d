// The inference network's Winograd F(2,3) convolution (CKernels/winograd.c) against the direct loop in Double, its
// portable C path against its AVX-512 path, and the network's choice of it. Only agreement within float32 error is
// asserted (never a CPU's rounding), and that an image gives the same bits alone or inside a batch.
import XCTest
@testable import Tensor

final class WinogradConvolutionTests: XCTestCase {
    struct Shape {
        let h, w, ci, co: Int, same: Bool
    }

    // The reference CNN's conv2 and conv3, odd sizes (a cropped last tile row/column), 1×1 and 2×1 images, 'valid',
    // and an output width of more than 4 vectors (64 + 16 channels).
    let shapes = [
        Shape(h: 14, w: 14, ci: 32, co: 64, same: true),
        Shape(h: 7, w: 7, ci: 64, co: 64, same: true),
        Shape(h: 5, w: 9, ci: 16, co: 48, same: true),
        Shape(h: 1, w: 1, ci: 16, co: 16, same: true),
        Shape(h: 2, w: 1, ci: 48, co: 32, same: true),
        Shape(h: 11, w: 6, ci: 16, co: 80, same: true),
        Shape(h: 9, w: 8, ci: 32, co: 16, same: false),
        Shape(h: 3, w: 3, ci: 16, co: 16, same: false),
    ]

    /// The direct loop in Double: (y, Σ |terms|) per output, before bias and activation.  x: [h, w, ci], w: [3, 3, ci, co]
    func direct(_ s: Shape, _ x: [Float], _ w: [Float]) -> (sum: [Double], magnitude: [Double]) {
        let pad = s.same ? 1 : 0, oh = s.h + 2 * pad - 2, ow = s.w + 2 * pad - 2
        var sum = [Double](repeating: 0, count: oh * ow * s.co), magnitude = sum
        for r in 0..<oh {
            for j in 0..<ow {
                for kh in 0..<3 {
                    for kw in 0..<3 {
                        let i = r + kh - pad, q = j + kw - pad
                        guard i >= 0, i < s.h, q >= 0, q < s.w else { continue }
                        for c in 0..<s.ci {
                            let v = Double(x[(i * s.w + q) * s.ci + c])
                            for o in 0..<s.co {
                                let term = v * Double(w[((kh * 3 + kw) * s.ci + c) * s.co + o])
                                sum[(r * ow + j) * s.co + o] += term
                                magnitude[(r * ow + j) * s.co + o] += abs(term)
                            }
                        }
                    }
                }
            }
        }
        return (sum, magnitude)
    }

    func run(_ c: WinogradConvolution, _ x: [Float], portable: Bool = false) -> [Float] {
        let input = Tensor(shape: [c.height, c.width, c.inputChannels], scalars: x)
        let y = Tensor(zeros: [c.outputHeight, c.outputWidth, c.outputChannels])
        c.run(input.pointer, y.pointer, portable: portable)
        return y.scalars
    }

    // Tolerance: Winograd F(2,3) sums the same products as the direct loop through transforms whose coefficients are 0,
    // ±½ and ±1 (Bᵀ and Aᵀ add at most 4 values, G at most 3 halves), so its float32 error stays a small multiple of
    // the direct sum's: measured at most 7.5e-7 of Σ |terms| on these shapes. 2e-5 leaves that margin, while a missing or
    // misplaced tap moves an output by one term, about 1/(9 · Ci) ≥ 1/576 of Σ |terms|, 80× the tolerance.
    let tolerance = 2e-5

    func testTheKernelMatchesTheDirectLoop() {
        for (index, s) in shapes.enumerated() {
            // Signed inputs and weights (uniformValues' lie in [0, 2)), so the ReLU has negative sums to clip.
            let x = uniformValues(s.h * s.w * s.ci, seed: UInt64(index) + 1).map { $0 - 1 }
            let w = uniformValues(9 * s.ci * s.co, seed: UInt64(index) + 20).map { $0 - 1 }
            let b = uniformValues(s.co, seed: 30), scale = uniformValues(s.co, seed: 31), shift = uniformValues(s.co, seed: 32)
            let (sum, magnitude) = direct(s, x, w)
            XCTAssertTrue(sum.contains { $0 < -2 }, "\(s): a sum the ReLU clips even after the bias (in [0, 2))")
            for (bias, relu, affine) in [(true, true, true), (false, false, false), (true, false, false), (false, true, true)] {
                let c = WinogradConvolution(height: s.h, width: s.w, weights: Tensor(shape: [3, 3, s.ci, s.co], scalars: w),
                                            bias: bias ? Tensor(shape: [s.co], scalars: b) : nil, samePadding: s.same, relu: relu,
                                            scale: affine ? Tensor(shape: [s.co], scalars: scale) : nil,
                                            shift: affine ? Tensor(shape: [s.co], scalars: shift) : nil)
                XCTAssertEqual(c.outputHeight * c.outputWidth * s.co, sum.count)
                for portable in [false, true] {
                    let y = run(c, x, portable: portable)
                    var worst = 0.0
                    for (i, value) in y.enumerated() {
                        let o = i % s.co
                        var expected = sum[i] + (bias ? Double(b[o]) : 0)
                        if relu { expected = max(expected, 0) }
                        // The scale multiplies the error too; the shift adds none.
                        let bound = max(1, magnitude[i] + (bias ? abs(Double(b[o])) : 0)) * (affine ? max(1, abs(Double(scale[o]))) : 1)
                        if affine { expected = expected * Double(scale[o]) + Double(shift[o]) }
                        worst = max(worst, abs(Double(value) - expected) / bound)
                    }
                    XCTAssertLessThan(worst, tolerance, "\(s) bias \(bias) relu \(relu) affine \(affine) portable \(portable)")
                }
            }
        }
    }

    func testThePortablePathAgreesWithTheVectorPath() {
        // Both paths run the same transforms in the same order; the products differ only by fused against separate
        // rounding (identical where the CPU has no AVX-512), so they agree within the same tolerance.
        for (index, s) in shapes.enumerated() {
            let x = uniformValues(s.h * s.w * s.ci, seed: UInt64(index) + 40), w = uniformValues(9 * s.ci * s.co, seed: UInt64(index) + 50)
            let (_, magnitude) = direct(s, x, w)
            let c = WinogradConvolution(height: s.h, width: s.w, weights: Tensor(shape: [3, 3, s.ci, s.co], scalars: w), bias: nil,
                                        samePadding: s.same, relu: false, scale: nil, shift: nil)
            let vector = run(c, x), portable = run(c, x, portable: true)
            var worst = 0.0
            for i in vector.indices { worst = max(worst, abs(Double(vector[i]) - Double(portable[i])) / max(1, magnitude[i])) }
            XCTAssertLessThan(worst, tolerance, "\(s)")
        }
    }

    func testAPrefetchAndASharedScratchChangeNoBit() {
        // The prefetch only asks the cache for memory and the scratch is written before it is read: the same bits by
        // construction, whatever the range (here a 1.6 MB tensor, all of it or a part).
        let s = shapes[0], x = uniformValues(s.h * s.w * s.ci, seed: 80)
        let w = Tensor(shape: [3, 3, s.ci, s.co], scalars: uniformValues(9 * s.ci * s.co, seed: 81))
        let b = Tensor(shape: [s.co], scalars: uniformValues(s.co, seed: 82))
        let other = Tensor(shape: [3136, 128], scalars: uniformValues(3136 * 128, seed: 83))
        let scratch = Tensor(repeating: .nan, shape: [WinogradConvolution.scratchCount(inputChannels: 64, outputChannels: 64)])
        let plain = run(WinogradConvolution(height: s.h, width: s.w, weights: w, bias: b, samePadding: true, relu: true, scale: nil,
                                            shift: nil), x)
        for range in [0..<other.count, 1000..<200_000, 5..<5] {
            let c = WinogradConvolution(height: s.h, width: s.w, weights: w, bias: b, samePadding: true, relu: true, scale: nil,
                                        shift: nil, scratch: scratch, prefetch: (other, range))
            XCTAssertEqual(run(c, x).map(\.bitPattern), plain.map(\.bitPattern), "\(range)")
        }
    }

    /// dense1's weights shared between conv2 and conv3 by their multiply-adds; sizes that overflow Int when multiplied.
    func testThePrefetchIsSplitInProportionWithoutOverflow() {
        let conv2 = WinogradConvolution.products(height: 14, width: 14, inputChannels: 32, outputChannels: 64)
        let conv3 = WinogradConvolution.products(height: 7, width: 7, inputChannels: 64, outputChannels: 64)
        XCTAssertEqual([conv2, conv3], [1_605_632, 1_048_576])
        XCTAssertEqual(InferenceNetwork.proportionalRanges(count: 401_408, weights: [conv2, conv3]), [0..<242_827, 242_827..<401_408])
        let huge = 1 << 40
        XCTAssertEqual(InferenceNetwork.proportionalRanges(count: 1 << 31, weights: [huge, huge, 2 * huge]),
                       [0..<(1 << 29), (1 << 29)..<(1 << 30), (1 << 30)..<(1 << 31)])
        XCTAssertEqual(InferenceNetwork.proportionalRanges(count: 100, weights: []), [])
        XCTAssertEqual(InferenceNetwork.proportionalRanges(count: 0, weights: [5, 7]), [0..<0, 0..<0])
    }

    func testTheNetworkRunsItWhereItFitsAndOnlyThere() {
        func fits(_ ci: Int, _ co: Int, _ kernel: [Int], _ stride: Int, _ output: [Int] = [7, 7]) -> Bool {
            WinogradConvolution.fits(inputChannels: ci, outputChannels: co, kernel: kernel, stride: stride, output: output)
        }
        XCTAssertTrue(fits(32, 64, [3, 3], 1) && fits(64, 64, [3, 3], 1) && fits(16, 16, [3, 3], 1, [1, 1]))
        XCTAssertFalse(fits(1, 32, [3, 3], 1) || fits(24, 32, [3, 3], 1) || fits(32, 40, [3, 3], 1) || fits(32, 64, [3, 3], 2)
            || fits(32, 64, [5, 5], 1) || fits(32, 64, [3, 1], 1) || fits(32, 64, [3, 3], 1, [0, 4]) || fits(0, 16, [3, 3], 1))
    }

    /// Through the inference network (3×3 'same', ReLU, then the folded batch norm's scale and shift): the loop's
    /// values, and one image alone gives the same bits as inside a batch.
    func testInferenceStepMatchesTheLoopAndGivesTheSameBitsAlone() {
        let s = Shape(h: 9, w: 6, ci: 16, co: 32, same: true), batch = 11
        let w = uniformValues(9 * s.ci * s.co, seed: 60), b = uniformValues(s.co, seed: 61)
        let scale = uniformValues(s.co, seed: 62), shift = uniformValues(s.co, seed: 63)
        let network = InferenceNetwork(inputShape: [s.h, s.w, s.ci], steps: [
            .convolution(weights: Tensor(shape: [3, 3, s.ci, s.co], scalars: w), bias: Tensor(shape: [s.co], scalars: b),
                         stride: 1, samePadding: true, activation: .relu,
                         scale: Tensor(shape: [s.co], scalars: scale), shift: Tensor(shape: [s.co], scalars: shift)),
        ])
        let per = s.h * s.w * s.ci, out = s.h * s.w * s.co
        let x = uniformValues(batch * per, seed: 64)
        let y = network.forward(Tensor(shape: [batch, s.h, s.w, s.ci], scalars: x)).scalars
        var worst = 0.0
        for n in 0..<batch {
            let (sum, magnitude) = direct(s, Array(x[n * per..<(n + 1) * per]), w)
            for i in 0..<out {
                let o = i % s.co
                let expected = max(sum[i] + Double(b[o]), 0) * Double(scale[o]) + Double(shift[o])
                worst = max(worst, abs(Double(y[n * out + i]) - expected) / (max(1, magnitude[i] + abs(Double(b[o]))) * max(1, abs(Double(scale[o])))))
            }
        }
        XCTAssertLessThan(worst, tolerance)
        for n in [0, 5, batch - 1] {
            let one = network.forward(Tensor(shape: [1, s.h, s.w, s.ci], scalars: Array(x[n * per..<(n + 1) * per])))
            XCTAssertEqual(one.scalars.map(\.bitPattern), y[n * out..<(n + 1) * out].map(\.bitPattern), "image \(n)")
        }
    }
}
