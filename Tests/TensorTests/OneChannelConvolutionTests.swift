// The one-input-channel convolution kernels (CKernels/conv1.c) against the direct loop in Double: only agreement within
// float32 accumulation error is asserted, and that an image gives the same bits alone or inside a batch.
import XCTest
@testable import Tensor

final class OneChannelConvolutionTests: XCTestCase {
    struct Shape {
        let h, w, k: Int, same: Bool, filters: Int, batch: Int
    }

    // Odd and even kernels up to 7, 'same' and 'valid', 16/32/48/64 filters; the last batches are large enough to be
    // split over two threads (at least ~32k outputs per thread).
    let shapes = [
        Shape(h: 28, w: 28, k: 3, same: true, filters: 32, batch: 5),
        Shape(h: 28, w: 28, k: 3, same: false, filters: 32, batch: 3),
        Shape(h: 9, w: 13, k: 5, same: true, filters: 48, batch: 3),
        Shape(h: 9, w: 13, k: 5, same: false, filters: 16, batch: 2),
        Shape(h: 7, w: 5, k: 7, same: true, filters: 32, batch: 2),
        Shape(h: 11, w: 10, k: 1, same: true, filters: 16, batch: 3),
        Shape(h: 10, w: 11, k: 4, same: true, filters: 32, batch: 2),
        Shape(h: 6, w: 6, k: 2, same: false, filters: 64, batch: 3),
        Shape(h: 8, w: 9, k: 3, same: false, filters: 48, batch: 40),
        Shape(h: 30, w: 17, k: 7, same: false, filters: 16, batch: 37),
    ]

    func convolution(_ s: Shape, bias: Bool = true, relu: Bool = false) -> Convolution {
        Convolution(height: s.h, width: s.w, inputChannels: 1, outputChannels: s.filters, kernelSize: s.k,
                    samePadding: s.same, bias: bias, fusedReLU: relu)
    }

    /// The input pixel a tap reads, nil in the padding.
    func pixel(_ c: Convolution, _ x: [Float], _ n: Int, _ r: Int, _ j: Int, _ kh: Int, _ kw: Int) -> Double? {
        let i = r + kh - c.padTop, q = j + kw - c.padLeft
        guard i >= 0, i < c.height, q >= 0, q < c.width else { return nil }
        return Double(x[(n * c.height + i) * c.width + q])
    }

    func testTheKernelsRunWhereTheyFitAndOnlyThere() {
        func fits(_ ci: Int, _ co: Int, _ k: Int, _ s: Int) -> Bool {
            Convolution.ownKernelsFit(inputChannels: ci, outputChannels: co, kernelSize: k, stride: s)
        }
        XCTAssertTrue(fits(1, 32, 3, 1) && fits(1, 16, 7, 1) && fits(1, 48, 1, 1))
        XCTAssertFalse(fits(2, 32, 3, 1) || fits(1, 24, 3, 1) || fits(1, 32, 3, 2) || fits(1, 32, 9, 1) || fits(1, 0, 3, 1))
        let c = convolution(shapes[0])
        XCTAssertTrue(c.runsOwnKernels)
        c.bfloat16 = true
        XCTAssertFalse(c.runsOwnKernels, "bf16 stays on oneDNN")
    }

    func testForwardMatchesTheDirectLoop() {
        for (index, s) in shapes.enumerated() {
            for (bias, relu) in [(true, false), (true, true), (false, true)] {
                let c = convolution(s, bias: bias, relu: relu)
                let x = uniformValues(s.batch * s.h * s.w, seed: UInt64(index) + 1), w = uniformValues(s.k * s.k * s.filters, seed: 20)
                let b = uniformValues(s.filters, seed: 30)
                let y = c.forward(Tensor(shape: [s.batch, s.h, s.w, 1], scalars: x),
                                  weights: Tensor(shape: [s.k, s.k, 1, s.filters], scalars: w),
                                  bias: bias ? Tensor(shape: [s.filters], scalars: b) : nil)
                XCTAssertEqual(y.shape, [s.batch, c.outputHeight, c.outputWidth, s.filters])
                var worst = 0.0
                for n in 0..<s.batch {
                    for r in 0..<c.outputHeight {
                        for j in 0..<c.outputWidth {
                            for o in 0..<s.filters {
                                var sum = bias ? Double(b[o]) : 0, magnitude = abs(sum)
                                for kh in 0..<s.k {
                                    for kw in 0..<s.k {
                                        guard let v = pixel(c, x, n, r, j, kh, kw) else { continue }
                                        sum += v * Double(w[(kh * s.k + kw) * s.filters + o])
                                        magnitude += abs(v * Double(w[(kh * s.k + kw) * s.filters + o]))
                                    }
                                }
                                if relu { sum = max(sum, 0) }
                                let got = Double(y[flat: ((n * c.outputHeight + r) * c.outputWidth + j) * s.filters + o])
                                // A float sum's error grows with the sum of its terms' magnitudes (49 terms at most here).
                                worst = max(worst, abs(got - sum) / max(1, magnitude))
                            }
                        }
                    }
                }
                XCTAssertLessThan(worst, 2e-6, "\(s) bias \(bias) relu \(relu)")
            }
        }
    }

    func testAnImageGivesTheSameBitsAloneAsInsideABatch() {
        let s = shapes[8], c = convolution(s, relu: true)
        let x = uniformValues(s.batch * s.h * s.w, seed: 5), w = Tensor(shape: [s.k, s.k, 1, s.filters], scalars: uniformValues(s.k * s.k * s.filters, seed: 6))
        let b = Tensor(shape: [s.filters], scalars: uniformValues(s.filters, seed: 7))
        let all = c.forward(Tensor(shape: [s.batch, s.h, s.w, 1], scalars: x), weights: w, bias: b).scalars
        let per = c.outputHeight * c.outputWidth * s.filters
        for n in [0, s.batch / 2, s.batch - 1] {
            let one = c.forward(Tensor(shape: [1, s.h, s.w, 1], scalars: Array(x[n * s.h * s.w..<(n + 1) * s.h * s.w])), weights: w, bias: b)
            XCTAssertEqual(one.scalars.map(\.bitPattern), all[n * per..<(n + 1) * per].map(\.bitPattern), "image \(n)")
        }
    }

    func testWeightAndBiasGradientsMatchTheDirectLoop() throws {
        for (index, s) in shapes.enumerated() {
            let c = convolution(s, relu: true)
            let x = uniformValues(s.batch * s.h * s.w, seed: UInt64(index) + 40)
            let dy = uniformValues(s.batch * c.outputHeight * c.outputWidth * s.filters, seed: UInt64(index) + 50)
            let weights = Tensor(shape: [s.k, s.k, 1, s.filters], scalars: uniformValues(s.k * s.k * s.filters, seed: 60))
            let (dx, dw, db) = c.backward(Tensor(shape: [s.batch, s.h, s.w, 1], scalars: x),
                                          Tensor(shape: [s.batch, c.outputHeight, c.outputWidth, s.filters], scalars: dy),
                                          weights: weights, inputGradient: false)
            XCTAssertNil(dx)
            XCTAssertEqual(dw.shape, [s.k, s.k, 1, s.filters])
            let bias = try XCTUnwrap(db)
            // With the input gradient asked for, the whole backward pass is oneDNN's: the same sums (in its own order).
            let other = c.backward(Tensor(shape: [s.batch, s.h, s.w, 1], scalars: x),
                                   Tensor(shape: [s.batch, c.outputHeight, c.outputWidth, s.filters], scalars: dy),
                                   weights: weights, inputGradient: true)
            XCTAssertNotNil(other.input)
            var worst = (w: 0.0, b: 0.0, oneDNN: 0.0)
            let pixels = s.batch * c.outputHeight * c.outputWidth
            for o in 0..<s.filters {
                // A float sum's error grows with the sum of its terms' magnitudes, so each sum is judged against those.
                var sumB = 0.0, magnitudeB = 0.0
                for p in 0..<pixels { sumB += Double(dy[p * s.filters + o]); magnitudeB += abs(Double(dy[p * s.filters + o])) }
                worst.b = max(worst.b, abs(Double(bias[flat: o]) - sumB) / max(1, magnitudeB))
                for kh in 0..<s.k {
                    for kw in 0..<s.k {
                        var sum = 0.0, magnitude = 0.0
                        for n in 0..<s.batch {
                            for r in 0..<c.outputHeight {
                                for j in 0..<c.outputWidth {
                                    guard let v = pixel(c, x, n, r, j, kh, kw) else { continue }
                                    let term = v * Double(dy[((n * c.outputHeight + r) * c.outputWidth + j) * s.filters + o])
                                    sum += term
                                    magnitude += abs(term)
                                }
                            }
                        }
                        let at = (kh * s.k + kw) * s.filters + o
                        worst.w = max(worst.w, abs(Double(dw[flat: at]) - sum) / max(1, magnitude))
                        worst.oneDNN = max(worst.oneDNN, abs(Double(other.weights[flat: at]) - sum) / max(1, magnitude))
                    }
                }
            }
            XCTAssertLessThan(worst.w, 1e-6, "dw \(s)")
            XCTAssertLessThan(worst.b, 1e-6, "db \(s)")
            XCTAssertLessThan(worst.oneDNN, 1e-5, "oneDNN's dw \(s)")
        }
    }

    /// The inference network's conv1 (activation, then the folded batch norm's scale and shift) against the loop, and
    /// one image alone against the same image inside a batch, bit for bit.
    func testInferenceStepMatchesTheLoopAndGivesTheSameBitsAlone() {
        let s = Shape(h: 12, w: 10, k: 3, same: true, filters: 32, batch: 11)
        let w = uniformValues(s.k * s.k * s.filters, seed: 70), b = uniformValues(s.filters, seed: 71)
        let scale = uniformValues(s.filters, seed: 72), shift = uniformValues(s.filters, seed: 73)
        let network = InferenceNetwork(inputShape: [s.h, s.w, 1], steps: [
            .convolution(weights: Tensor(shape: [s.k, s.k, 1, s.filters], scalars: w), bias: Tensor(shape: [s.filters], scalars: b),
                         stride: 1, samePadding: true, activation: .relu,
                         scale: Tensor(shape: [s.filters], scalars: scale), shift: Tensor(shape: [s.filters], scalars: shift)),
        ])
        let x = uniformValues(s.batch * s.h * s.w, seed: 74)
        let y = network.forward(Tensor(shape: [s.batch, s.h, s.w, 1], scalars: x)).scalars
        let c = convolution(s)
        var worst = 0.0
        for n in 0..<s.batch {
            for r in 0..<s.h {
                for j in 0..<s.w {
                    for o in 0..<s.filters {
                        var sum = Double(b[o])
                        for kh in 0..<s.k {
                            for kw in 0..<s.k {
                                if let v = pixel(c, x, n, r, j, kh, kw) { sum += v * Double(w[(kh * s.k + kw) * s.filters + o]) }
                            }
                        }
                        let expected = max(sum, 0) * Double(scale[o]) + Double(shift[o])
                        worst = max(worst, abs(Double(y[((n * s.h + r) * s.w + j) * s.filters + o]) - expected))
                    }
                }
            }
        }
        XCTAssertLessThan(worst, 1e-5)
        let per = s.h * s.w * s.filters
        for n in [0, 5, s.batch - 1] {
            let one = network.forward(Tensor(shape: [1, s.h, s.w, 1], scalars: Array(x[n * s.h * s.w..<(n + 1) * s.h * s.w])))
            XCTAssertEqual(one.scalars.map(\.bitPattern), y[n * per..<(n + 1) * per].map(\.bitPattern), "image \(n)")
        }
    }
}
